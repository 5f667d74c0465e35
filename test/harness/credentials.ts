/**
 * The harness's ICredentialsHelper: credentials come from the test, in clear,
 * by credential type. Apart from where the data comes from, it behaves as
 * n8n's own helper (packages/cli CredentialsHelper): the credential type's
 * property defaults are applied, and `authenticate` applies the type's
 * `authenticate` (a function, or the declarative `generic` form whose values are
 * expressions over `$credentials`) to the request.
 */
import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentialsEncrypted,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
	type Workflow,
} from 'n8n-workflow';

import { getCredentialType } from './registry';

export type HarnessCredentials = Record<string, Record<string, unknown>>;

class InMemoryCredentials extends ICredentials {
	constructor(
		details: INodeCredentialsDetails,
		type: string,
		private stored: ICredentialDataDecryptedObject,
	) {
		super(details, type);
	}

	async getData(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.stored };
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: JSON.stringify(this.stored) };
	}

	async setData(data: ICredentialDataDecryptedObject): Promise<void> {
		this.stored = { ...data };
	}

	async updateData(
		toUpdate: Partial<ICredentialDataDecryptedObject>,
		toDelete: string[] = [],
	): Promise<void> {
		this.stored = { ...this.stored, ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete this.stored[key];
	}
}

/** All properties of a credential type, parents' first (as n8n merges `extends`). */
export function credentialProperties(type: string): INodeProperties[] {
	const credentialType = getCredentialType(type);
	if (!credentialType.extends) return credentialType.properties;
	const merged: INodeProperties[] = [];
	for (const parent of credentialType.extends) {
		NodeHelpers.mergeNodeProperties(merged, credentialProperties(parent));
	}
	NodeHelpers.mergeNodeProperties(merged, credentialType.properties);
	return merged;
}

/** Data with the credential type's defaults filled in, as n8n's applyDefaultsAndOverwrites does. */
export function withDefaults(type: string, data: Record<string, unknown>): ICredentialDataDecryptedObject {
	const defaults = NodeHelpers.getNodeParameters(
		credentialProperties(type),
		data as INodeParameters,
		true,
		false,
		null,
		null,
	);
	return { ...(defaults ?? {}), ...data } as ICredentialDataDecryptedObject;
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	/** Every credential data object handed to a node, for tests that want to check. */
	readonly requested: string[] = [];

	constructor(private readonly credentials: HarnessCredentials = {}) {
		super();
	}

	getParentTypes(name: string): string[] {
		const type = getCredentialType(name);
		const parents = type.extends ?? [];
		return [...parents, ...parents.flatMap((p) => this.getParentTypes(p))];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = getCredentialType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			if (!workflow || !node) {
				throw new Error('Workflow and node are required for declarative credential authentication');
			}
			const resolve = (value: unknown): string => {
				if (typeof value !== 'string' || !isExpression(value)) return String(value);
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				target[section] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
					target[section][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(
		_helpers: IHttpRequestHelper,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	private lookup(nodeCredentials: INodeCredentialsDetails, type: string): Record<string, unknown> {
		const data = this.credentials[type];
		if (data === undefined) {
			// n8n's CredentialNotFoundError wording.
			throw new Error(`Credential with ID "${nodeCredentials.id ?? ''}" does not exist for type "${type}".`);
		}
		return data;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new InMemoryCredentials(
			nodeCredentials,
			type,
			this.lookup(nodeCredentials, type) as ICredentialDataDecryptedObject,
		);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode?: unknown,
		_executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.lookup(nodeCredentials, type);
		this.requested.push(type);
		if (raw) return { ...data } as ICredentialDataDecryptedObject;
		return withDefaults(type, data);
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.credentials[type] = { ...data };
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.credentials[type] = { ...this.credentials[type], ...data };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialProperties(type);
	}
}
