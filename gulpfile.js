const { src, dest } = require('gulp');

// tsc compiles the TypeScript; n8n also needs each node's icon and codex file beside it.
// `--dest <folder>` (the verified edition's build) copies them there instead of dist/.
function copyAssets() {
	const at = process.argv.indexOf('--dest');
	return src(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], { base: '.' }).pipe(dest(at > 0 ? process.argv[at + 1] : 'dist'));
}

exports['build:assets'] = copyAssets;
