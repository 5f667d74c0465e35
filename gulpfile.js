const { src, dest } = require('gulp');

// tsc compiles the TypeScript; n8n also needs each node's icon and codex file beside it.
function copyAssets() {
	return src(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], { base: '.' }).pipe(dest('dist'));
}

exports['build:assets'] = copyAssets;
