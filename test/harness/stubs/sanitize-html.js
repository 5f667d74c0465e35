// n8n's Wait node loads its form helpers, which require sanitize-html, whose parser is ESM-only
// (jest cannot load it). Only forms call it, and the harness runs no forms.
module.exports = () => {
	throw new Error('sanitize-html is not available in the test harness: forms are not supported');
};
