#!/usr/bin/env bash
# Installs (apt-get, Debian) what the README's test commands need beyond Node and npm, when
# missing: build tools for the native modules n8n is rebuilt with (sqlite3, isolated-vm:
# python3, make, g++), Chromium for the editor e2e test (/usr/bin/chromium, driven by
# playwright-core), Redis and Postgres for the queue-mode e2e test and `npm start -- --queue`.
# Idempotent: prints nothing and exits 0 when all is there. Needs root (CI runs as root) or sudo.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ]; }
have python3 || missing+=(python3)
have make || missing+=(make)
have g++ || missing+=(g++)
[ -x /usr/bin/chromium ] || missing+=(chromium)
have redis-server || missing+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "ensure-system: ${missing[*]} missing and this is not root (no sudo): apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi

echo "ensure-system: installing ${missing[*]} (apt-get) ..." >&2
log=$(mktemp)
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	rm -f "$log"
	echo "ensure-system: apt-get install ${missing[*]} failed" >&2
	exit 1
fi
rm -f "$log"
[ -x /usr/bin/chromium ] || { echo "ensure-system: /usr/bin/chromium still missing after the install" >&2; exit 1; }
echo "ensure-system: installed ${missing[*]}" >&2
