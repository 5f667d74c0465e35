/**
 * Jest transform for the plain-ESM scripts/*.mjs: jest here runs CommonJS, so turn
 * `import`/`export` into `require`/`exports` (TypeScript's transpiler, already a dev
 * dependency) and `import.meta.url` into the file's URL. The scripts are also run
 * as-is by Node (npm start), so they stay real ESM.
 */
const ts = require('typescript');

module.exports = {
	process(source, filename) {
		const code = source.replace(/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href");
		const out = ts.transpileModule(code, {
			fileName: filename.replace(/\.mjs$/, '.js'),
			compilerOptions: {
				module: ts.ModuleKind.CommonJS,
				target: ts.ScriptTarget.ES2022,
				esModuleInterop: true,
				allowJs: true,
			},
		});
		return { code: out.outputText };
	},
};
