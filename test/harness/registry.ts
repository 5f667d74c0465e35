/**
 * Node and credential type registries for the workflow harness.
 *
 * Types are loaded the way n8n loads them: through n8n-core's `DirectoryLoader`
 * (`loadNodeFromFile` / `loadCredentialFromFile`), which adds the codex, checks
 * icon paths, validates the description and adds the special parameters
 * (for example `pollTimes` on polling nodes). A type is registered under
 * `<package>.<description.name>`, as n8n's NodeTypes does.
 *
 * Everything is loaded lazily and once per module registry (jest gives every
 * test file its own), so running many workflows costs one load.
 */
import './env';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DirectoryLoader } from 'n8n-core';
import {
	NodeHelpers,
	type ICredentialType,
	type IDataObject,
	type INodeType,
	type INodeTypes,
	type IVersionedNodeType,
} from 'n8n-workflow';

export const PACKAGE_NAME = 'n8n-nodes-witrium';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A DirectoryLoader that loads only the files it is told to, when it is told to. */
class FileLoader extends DirectoryLoader {
	packageName: string;

	constructor(directory: string, packageName: string) {
		super(directory);
		this.packageName = packageName;
	}

	async loadAll(): Promise<void> {
		// Files are loaded one by one through loadNodeFromFile / loadCredentialFromFile.
	}

	/**
	 * n8n reads a node's codex from `<file>.node.json` beside the built `.node.js`; for a
	 * `.node.ts` source that lookup misses, so the codex is read from beside the source.
	 */
	loadSourceNode(file: string): void {
		this.loadNodeFromFile(file);
		const codexFile = path.join(this.directory, file.replace(/\.ts$/, '.json'));
		if (!file.endsWith('.ts') || !existsSync(codexFile)) return;
		const loaded = Object.values(this.nodeTypes).find((n) => n.sourcePath === file)?.type;
		if (!loaded || loaded.description.codex?.resources) return;
		const codex = JSON.parse(readFileSync(codexFile, 'utf8')) as IDataObject;
		const { categories, subcategories, alias, resources = {} } = codex as {
			categories?: string[];
			subcategories?: Record<string, string[]>;
			alias?: string[];
			resources?: IDataObject;
		};
		loaded.description.codex = {
			...(categories && { categories }),
			...(subcategories && { subcategories }),
			...(alias && { alias }),
			resources: {
				primaryDocumentation: resources.primaryDocumentation as never,
				credentialDocumentation: resources.credentialDocumentation as never,
			},
		};
	}
}

/**
 * The core nodes a harness workflow may use: real classes from n8n-nodes-base,
 * loaded file by file (never the package index), the first time a workflow uses them.
 */
const CORE_NODE_FILES: Record<string, string> = {
	manualTrigger: 'dist/nodes/ManualTrigger/ManualTrigger.node.js',
	scheduleTrigger: 'dist/nodes/Schedule/ScheduleTrigger.node.js',
	noOp: 'dist/nodes/NoOp/NoOp.node.js',
	set: 'dist/nodes/Set/Set.node.js',
	splitOut: 'dist/nodes/Transform/SplitOut/SplitOut.node.js',
	stickyNote: 'dist/nodes/StickyNote/StickyNote.node.js',
	if: 'dist/nodes/If/If.node.js',
	httpRequest: 'dist/nodes/HttpRequest/HttpRequest.node.js',
	wait: 'dist/nodes/Wait/Wait.node.js',
	stopAndError: 'dist/nodes/StopAndError/StopAndError.node.js',
};
export const CORE_NODE_TYPES = Object.keys(CORE_NODE_FILES).map((n) => `n8n-nodes-base.${n}`);

let coreLoader: FileLoader | undefined;
function getCoreLoader(): FileLoader {
	if (!coreLoader) {
		const dir = path.dirname(require.resolve('n8n-nodes-base/package.json'));
		coreLoader = new FileLoader(dir, 'n8n-nodes-base');
	}
	return coreLoader;
}

interface PackageLoad {
	loader: FileLoader;
	/** file → error, for files that failed to load (other files still load). */
	failures: Map<string, Error>;
}
let packageLoad: PackageLoad | undefined;

/** A load error, its message without the terminal colours ts-jest puts in compile errors. */
function loadError(error: unknown): Error {
	if (!(error instanceof Error)) return new Error(String(error));
	// eslint-disable-next-line no-control-regex
	const message = error.message.replace(/\x1B\[[0-9;]*m/g, '');
	if (message === error.message) return error;
	const clean = new Error(message, { cause: error });
	clean.name = error.name;
	return clean;
}

function listFiles(dir: string, suffix: string, depth: 1 | 2): string[] {
	const root = path.join(REPO_ROOT, dir);
	if (!existsSync(root)) return [];
	const out: string[] = [];
	for (const entry of readdirSync(root, { withFileTypes: true })) {
		if (depth === 2 && entry.isDirectory()) {
			for (const f of readdirSync(path.join(root, entry.name))) {
				if (f.endsWith(suffix)) out.push(path.posix.join(dir, entry.name, f));
			}
		} else if (depth === 1 && entry.isFile() && entry.name.endsWith(suffix)) {
			out.push(path.posix.join(dir, entry.name));
		}
	}
	return out.sort();
}

/**
 * Loads every `nodes/<Name>/<Name>.node.ts` and `credentials/*.credentials.ts` of
 * this package. A file that fails to load is remembered, not thrown: a workflow
 * that does not use it still runs; one that does gets the load error.
 */
function getPackageLoad(): PackageLoad {
	if (packageLoad) return packageLoad;
	const loader = new FileLoader(REPO_ROOT, PACKAGE_NAME);
	const failures = new Map<string, Error>();
	// Nodes first: the loader records which nodes use which credential.
	for (const file of listFiles('nodes', '.node.ts', 2)) {
		try {
			loader.loadSourceNode(file);
		} catch (error) {
			failures.set(file, loadError(error));
		}
	}
	for (const file of listFiles('credentials', '.credentials.ts', 1)) {
		try {
			loader.loadCredentialFromFile(file);
		} catch (error) {
			failures.set(file, loadError(error));
		}
	}
	packageLoad = { loader, failures };
	return packageLoad;
}

function describeFailures(failures: Map<string, Error>): string {
	if (failures.size === 0) return '';
	const lines = [...failures].map(([file, error]) => `  ${file}: ${error.message}`);
	return `\nFiles of ${PACKAGE_NAME} that failed to load:\n${lines.join('\n')}`;
}

/** Types registered by tests (fixtures), by full type name. */
const extraNodeTypes = new Map<string, INodeType | IVersionedNodeType>();
const extraCredentialTypes = new Map<string, ICredentialType>();

/**
 * Registers a node type under a full type name (default `n8n-nodes-witrium.<description.name>`).
 * Applies n8n's loader treatment (special parameters such as `pollTimes`) like a loaded file.
 */
export function registerNodeType(
	nodeType: INodeType | IVersionedNodeType,
	fullTypeName = `${PACKAGE_NAME}.${nodeType.description.name}`,
): string {
	const versions =
		'nodeVersions' in nodeType ? Object.values(nodeType.nodeVersions) : [nodeType as INodeType];
	for (const version of versions) {
		const { description } = version;
		if (description.polling && !description.properties.some((p) => p.name === 'pollTimes')) {
			// What DirectoryLoader.applySpecialNodeParameters adds to every polling node.
			description.properties.unshift({
				displayName: 'Poll Times',
				name: 'pollTimes',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Poll Time' },
				default: { item: [{ mode: 'everyMinute' }] },
				description: 'Time at which polling should occur',
				placeholder: 'Add Poll Time',
				options: NodeHelpers.cronNodeOptions,
			});
		}
	}
	extraNodeTypes.set(fullTypeName, nodeType);
	return fullTypeName;
}

export function registerCredentialType(credentialType: ICredentialType): void {
	extraCredentialTypes.set(credentialType.name, credentialType);
}

export class UnknownNodeTypeError extends Error {
	constructor(type: string, detail = '') {
		super(`Unrecognized node type: ${type}${detail}`);
		this.name = 'UnknownNodeTypeError';
	}
}

/** The INodeTypes the harness hands to n8n's Workflow. */
export class HarnessNodeTypes implements INodeTypes {
	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const extra = extraNodeTypes.get(nodeType);
		if (extra) return extra;
		const dot = nodeType.lastIndexOf('.');
		const pkg = nodeType.slice(0, dot);
		const name = nodeType.slice(dot + 1);
		if (pkg === 'n8n-nodes-base' && name in CORE_NODE_FILES) {
			const loader = getCoreLoader();
			if (!(name in loader.nodeTypes)) loader.loadNodeFromFile(CORE_NODE_FILES[name]);
			return loader.nodeTypes[name].type;
		}
		if (pkg === PACKAGE_NAME) {
			const { loader, failures } = getPackageLoad();
			if (name in loader.nodeTypes) return loader.nodeTypes[name].type;
			throw new UnknownNodeTypeError(nodeType, describeFailures(failures));
		}
		throw new UnknownNodeTypeError(
			nodeType,
			pkg === 'n8n-nodes-base'
				? ` (the harness provides ${CORE_NODE_TYPES.join(', ')})`
				: '',
		);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

export const nodeTypes = new HarnessNodeTypes();

/** Credential types: this package's credentials plus any registered by tests. */
export function getCredentialType(name: string): ICredentialType {
	const extra = extraCredentialTypes.get(name);
	if (extra) return extra;
	const { loader, failures } = getPackageLoad();
	if (name in loader.credentialTypes) return loader.credentialTypes[name].type;
	throw new Error(`Unrecognized credential type: ${name}${describeFailures(failures)}`);
}

/** Names of the node types this package's files registered, e.g. `n8n-nodes-witrium.witriumTrigger`. */
export function packageNodeTypeNames(): string[] {
	return Object.keys(getPackageLoad().loader.nodeTypes).map((n) => `${PACKAGE_NAME}.${n}`);
}

/** The source file each of this package's node types was loaded from. */
export function packageNodeTypeFiles(): Record<string, string> {
	const { nodeTypes: loaded } = getPackageLoad().loader;
	return Object.fromEntries(
		Object.entries(loaded).map(([name, { sourcePath }]) => [`${PACKAGE_NAME}.${name}`, sourcePath]),
	);
}

export function packageCredentialTypeNames(): string[] {
	return Object.keys(getPackageLoad().loader.credentialTypes);
}

export function packageLoadFailures(): ReadonlyMap<string, Error> {
	return getPackageLoad().failures;
}
