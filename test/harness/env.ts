/**
 * Environment for n8n's backend packages inside the harness, set before any of
 * them reads it: n8n's logger stays quiet (node errors are in the run result,
 * not on the console) unless N8N_LOG_LEVEL says otherwise.
 */
process.env.N8N_LOG_LEVEL ??= 'silent';
export {};
