#!/usr/bin/env bash
# Installs Debian's Chromium (for the editor e2e test, driven by playwright-core) when
# /usr/bin/chromium is missing. Idempotent: prints nothing and exits 0 when it is there.
# Needs root (CI runs as root) or sudo.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "ensure-chromium: $CHROMIUM is missing and this is not root (no sudo): apt-get install chromium" >&2
		exit 1
	fi
fi

echo "ensure-chromium: installing Debian's chromium (apt-get) ..." >&2
log=$(mktemp)
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	rm -f "$log"
	echo "ensure-chromium: apt-get install chromium failed" >&2
	exit 1
fi
rm -f "$log"
[ -x "$CHROMIUM" ] || { echo "ensure-chromium: $CHROMIUM still missing after the install" >&2; exit 1; }
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null)" >&2
