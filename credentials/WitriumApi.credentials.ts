import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class WitriumApi implements ICredentialType {
	name = 'witriumApi';

	displayName = 'Witrium API';

	icon = { light: 'file:witrium.svg', dark: 'file:witrium.dark.svg' } as const;

	documentationUrl = 'https://github.com/witrium/n8n-nodes-witrium#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your Witrium API token, from the Witrium dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.witrium.com',
			placeholder: 'https://api.witrium.com',
			description: 'Change only to reach a staging host or a local Witrium simulator',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				// Trimmed, as the nodes do: a token pasted with a space or line break still works.
				'X-Witrium-Key': '={{String($credentials.apiToken || "").trim()}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			// As the nodes read it: trimmed, trailing "/" and "/v1" dropped, empty meaning the default.
			baseURL:
				'={{String($credentials.baseUrl || "").trim().replace(/\\/+$/, "").replace(/\\/v1$/i, "").replace(/\\/+$/, "") || "https://api.witrium.com"}}',
			url: '/v1/browser-sessions',
			method: 'GET',
		},
		// n8n's credential test shows only the HTTP status text, never the response body, so say here what to fix.
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Witrium rejected the API token (401 Unauthorized): copy it again from the Witrium dashboard' },
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'Witrium refused this API token (403): check it belongs to the right account' },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'No Witrium API at this Base URL (404): use https://api.witrium.com unless told otherwise' },
			},
		],
	};
}
