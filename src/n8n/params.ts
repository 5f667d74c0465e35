import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import type { ArgumentValue, UploadFile } from '../client';

/**
 * What parameters are read through: an action node's context as it is; a poll context, whose
 * getNodeParameter takes no item index, through a small adapter (see trigger.ts).
 */
export interface ParameterSource {
	getNode(): INode;
	getNodeParameter(name: string, itemIndex: number, fallback?: unknown): unknown;
}

export function inputError(node: INode, itemIndex: number, message: string, description: string) {
	return new NodeOperationError(node, `${message} [item ${itemIndex}]`, { itemIndex, description });
}

/**
 * A Witrium id goes into a URL path: an empty one, or one with a slash, `?`, `#` or white space,
 * would address another endpoint, so it is refused before any request is made.
 */
export function readId(ctx: ParameterSource, name: string, label: string, itemIndex: number): string {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	const id = typeof raw === 'number' ? String(raw) : raw;
	if (typeof id !== 'string' || id.trim() === '') {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} is empty`,
			`Give the ${label} (a UUID from Witrium), or map it from the input, e.g. {{ $json.${name} }}.`,
		);
	}
	const trimmed = id.trim();
	if (/[\s/?#%]/.test(trimmed)) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} "${trimmed}" is not a valid id`,
			`A ${label} is a UUID such as 3f2a9c1e-…; it cannot contain "/", "?", "#", "%" or white space. Check the value or expression.`,
		);
	}
	return trimmed;
}

/** An optional id: empty means "none". */
export function readOptionalId(ctx: ParameterSource, name: string, label: string, itemIndex: number) {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
	return readId(ctx, name, label, itemIndex);
}

/** Comma-separated list: trimmed, empty entries dropped; undefined when nothing is left. */
export function splitList(value: unknown): string[] | undefined {
	if (typeof value !== 'string') return undefined;
	const entries = value
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
	return entries.length > 0 ? entries : undefined;
}

/** A non-empty trimmed string, or undefined (so the field is left out of the request). */
export function optionalString(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function toArgumentValue(ctx: ParameterSource, itemIndex: number, name: string, value: unknown): ArgumentValue {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'boolean') return String(value);
	const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : String(value);
	throw inputError(
		ctx.getNode(),
		itemIndex,
		`Argument "${name}" is ${got}`,
		'Witrium takes a string or a number for each argument. Pick a single field of the object, or turn it into text with JSON.stringify() in the expression.',
	);
}

/** The `args` of a run: from the key-value fields or the JSON parameter; undefined when empty. */
export function readArguments(ctx: ParameterSource, itemIndex: number): Record<string, ArgumentValue> | undefined {
	const mode = ctx.getNodeParameter('specifyArguments', itemIndex, 'keypair') as string;
	const args: Record<string, ArgumentValue> = {};
	if (mode === 'json') {
		let parsed = ctx.getNodeParameter('argumentsJson', itemIndex, '{}') as unknown;
		if (typeof parsed === 'string') {
			if (parsed.trim() === '') return undefined;
			try {
				parsed = JSON.parse(parsed);
			} catch (error) {
				throw inputError(
					ctx.getNode(),
					itemIndex,
					'Arguments (JSON) is not valid JSON',
					`Write a JSON object such as { "username": "jane" }. The parser said: ${(error as Error).message}`,
				);
			}
		}
		if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
			throw inputError(
				ctx.getNode(),
				itemIndex,
				'Arguments (JSON) must be a JSON object',
				'Write an object of argument names to values, such as { "username": "jane", "page": 2 }.',
			);
		}
		for (const [name, value] of Object.entries(parsed as IDataObject)) {
			args[name] = toArgumentValue(ctx, itemIndex, name, value);
		}
	} else {
		const collection = ctx.getNodeParameter('arguments', itemIndex, {}) as {
			argument?: Array<{ name?: unknown; value?: unknown }>;
		};
		for (const [position, { name, value }] of (collection.argument ?? []).entries()) {
			if (typeof name !== 'string' || name.trim() === '') {
				throw inputError(
					ctx.getNode(),
					itemIndex,
					`Argument ${position + 1} has no name`,
					'Give every argument the name the Witrium automation expects, or remove the empty row.',
				);
			}
			args[name.trim()] = toArgumentValue(ctx, itemIndex, name.trim(), value);
		}
	}
	return Object.keys(args).length > 0 ? args : undefined;
}

/** Files to upload, read from the item's binary properties and sent base64-encoded. */
export async function readFiles(
	ctx: IExecuteFunctions,
	itemIndex: number,
	propertyNames: string[] | undefined,
): Promise<UploadFile[] | undefined> {
	if (!propertyNames) return undefined;
	const item = ctx.getInputData()[itemIndex];
	const files: UploadFile[] = [];
	for (const property of propertyNames) {
		const binary = item?.binary?.[property];
		if (!binary) {
			const available = Object.keys(item?.binary ?? {});
			throw inputError(
				ctx.getNode(),
				itemIndex,
				`The input item has no binary field "${property}"`,
				available.length > 0
					? `Binary fields on this item: ${available.join(', ')}. Fix "Input Binary Fields".`
					: 'This item carries no binary data. Add a node that reads or downloads the file before this one, or clear "Input Binary Fields".',
			);
		}
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
		files.push({ filename: binary.fileName ?? property, data: buffer.toString('base64') });
	}
	return files;
}
