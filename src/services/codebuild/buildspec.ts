import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export const PHASE_KEYS = ['install', 'pre_build', 'build', 'post_build'] as const;
export type PhaseKey = (typeof PHASE_KEYS)[number];

export interface OnFailure {
  mode: 'ABORT' | 'CONTINUE' | 'RETRY';
  /** Extra attempts for RETRY (AWS's default is 3). */
  retries: number;
  /** RETRY only when the phase's error message matches. */
  pattern?: RegExp;
}

export interface PhaseSpec {
  commands: string[];
  finally: string[];
  runAs?: string;
  onFailure?: OnFailure;
  runtimeVersions?: Record<string, string>;
}

export interface ArtifactSpec {
  files: string[];
  name?: string;
  discardPaths: boolean;
  baseDirectory?: string;
  excludePaths: string[];
  enableSymlinks: boolean;
  s3Prefix?: string;
}

export interface ReportSpec {
  files: string[];
  baseDirectory?: string;
  discardPaths: boolean;
  fileFormat: string;
}

export interface CacheSpec {
  paths: string[];
  key?: string;
  fallbackKeys: string[];
  action?: 'restore' | 'save';
}

export interface Buildspec {
  version: '0.1' | '0.2';
  runAs?: string;
  env: {
    shell?: string;
    variables: Record<string, string>;
    parameterStore: Record<string, string>;
    secretsManager: Record<string, string>;
    exportedVariables: string[];
    gitCredentialHelper: boolean;
  };
  phases: Partial<Record<PhaseKey, PhaseSpec>>;
  artifacts?: ArtifactSpec & { secondary: Record<string, ArtifactSpec> };
  reports: Record<string, ReportSpec>;
  cache?: CacheSpec;
}

/** A buildspec that cannot run: AWS fails DOWNLOAD_SOURCE with YAML_FILE_ERROR and this message. */
export class BuildspecError extends Error {}

export const REPORT_FORMATS = ['JUNITXML', 'CUCUMBERJSON', 'NUNITXML', 'NUNIT3XML', 'TESTNGXML', 'VISUALSTUDIOTRX', 'CLOVERXML', 'COBERTURAXML', 'JACOCOXML', 'SIMPLECOV'];
const SHELLS = ['bash', '/bin/bash', 'sh', '/bin/sh'];

/** Reads the YAML tree with the line of every node, so each error names where it is. */
class Reader {
  constructor(private readonly lines: LineCounter) {}

  line(node: Node | Pair | null | undefined): number {
    const range = node && 'range' in node ? node.range : node && 'key' in node && isScalar(node.key) ? node.key.range : undefined;
    return range ? this.lines.linePos(range[0]).line : 1;
  }

  fail(message: string, node?: Node | null): never {
    throw new BuildspecError(`${message} at line ${this.line(node)}`);
  }

  map(node: unknown, where: string, allowed: readonly string[]): Map<string, Pair> {
    if (!isMap(node)) this.fail(`Expected ${where} to be a map`, node as Node);
    const out = new Map<string, Pair>();
    for (const pair of (node as YAMLMap).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!allowed.includes(key)) this.fail(`Unknown key '${key}' in ${where}`, pair.key as Node);
      if (out.has(key)) this.fail(`Duplicate key '${key}' in ${where}`, pair.key as Node);
      out.set(key, pair);
    }
    return out;
  }

  str(pair: Pair | undefined, where: string): string | undefined {
    if (!pair) return undefined;
    const v = pair.value;
    if (v === null || (isScalar(v) && v.value === null)) this.fail(`Expected ${where} to be of string type: found empty value`, pair.key as Node);
    if (!isScalar(v)) this.fail(`Expected ${where} to be of string type: found subkeys instead`, v as Node);
    return String(v.value);
  }

  bool(pair: Pair | undefined, where: string): boolean {
    const text = this.str(pair, where)?.toLowerCase();
    if (text === undefined || ['no', 'false'].includes(text)) return false;
    if (['yes', 'true'].includes(text)) return true;
    return this.fail(`Expected ${where} to be yes or no, found '${text}'`, pair?.value as Node);
  }

  /** A list of strings; a single string counts as a list of one, as AWS accepts. */
  list(pair: Pair | undefined, where: string): string[] {
    if (!pair) return [];
    const v = pair.value;
    if (isScalar(v) && v.value !== null) return [String(v.value)];
    if (!isSeq(v)) this.fail(`Expected ${where} to be a list`, (v ?? pair.key) as Node);
    return v.items.map((item, i) => {
      if (!isScalar(item) || item.value === null) {
        // AWS's own wording for phase commands: `Expected Commands[0] to be of string type: ...`.
        const field = /\.(commands|finally)$/.exec(where)?.[1];
        const line = this.line(item as Node);
        if (field) throw new BuildspecError(`Expected ${field[0].toUpperCase()}${field.slice(1)}[${i}] to be of string type: found subkeys instead at line ${line}, value of the key tag on line ${line - 1} might be empty`);
        this.fail(`Expected ${where}[${i}] to be of string type: found subkeys instead`, item as Node);
      }
      return String((item as { value: unknown }).value);
    });
  }

  strings(pair: Pair | undefined, where: string): Record<string, string> {
    if (!pair) return {};
    const out: Record<string, string> = {};
    for (const [key, p] of this.map(pair.value, where, anyKey(pair.value))) out[key] = this.str(p, `${where}.${key}`) ?? '';
    return out;
  }
}

function anyKey(node: unknown): string[] {
  return isMap(node) ? node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')) : [];
}

/** Parses and checks a buildspec as CodeBuild does before running anything. */
export function parseBuildspec(text: string): Buildspec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new BuildspecError(`${e.message.split('\n')[0]} at line ${e.linePos?.[0].line ?? 1}`);
  }
  const r = new Reader(lines);
  if (doc.contents === null) throw new BuildspecError('The buildspec is empty at line 1');
  const top = r.map(doc.contents, 'the buildspec', ['version', 'run-as', 'env', 'proxy', 'batch', 'phases', 'reports', 'artifacts', 'cache']);
  const version = r.str(top.get('version'), 'version');
  if (version === undefined) r.fail("Missing required key 'version'", doc.contents);
  if (version !== '0.2' && version !== '0.1') r.fail(`Invalid buildspec version '${version}': expected 0.2 or 0.1`, top.get('version')?.value as Node);
  const phasesPair = top.get('phases');
  return {
    version: version as '0.1' | '0.2',
    runAs: r.str(top.get('run-as'), 'run-as'),
    env: readEnv(r, top.get('env')),
    phases: phasesPair ? readPhases(r, phasesPair) : {},
    artifacts: top.get('artifacts') ? readArtifacts(r, top.get('artifacts')!) : undefined,
    reports: readReports(r, top.get('reports')),
    cache: top.get('cache') ? readCache(r, top.get('cache')!) : undefined,
  };
}

function readEnv(r: Reader, pair: Pair | undefined): Buildspec['env'] {
  const env = pair ? r.map(pair.value, 'env', ['shell', 'variables', 'parameter-store', 'secrets-manager', 'exported-variables', 'git-credential-helper']) : new Map<string, Pair>();
  const shell = r.str(env.get('shell'), 'env.shell');
  if (shell !== undefined && !SHELLS.includes(shell)) r.fail(`Unsupported shell '${shell}' in env.shell: expected bash or /bin/sh`, env.get('shell')!.value as Node);
  const exported = r.list(env.get('exported-variables'), 'env.exported-variables');
  for (const name of exported) if (name.startsWith('AWS_')) r.fail(`Cannot export reserved variable '${name}' in env.exported-variables`, env.get('exported-variables')!.value as Node);
  return {
    shell,
    variables: r.strings(env.get('variables'), 'env.variables'),
    parameterStore: r.strings(env.get('parameter-store'), 'env.parameter-store'),
    secretsManager: r.strings(env.get('secrets-manager'), 'env.secrets-manager'),
    exportedVariables: exported,
    gitCredentialHelper: r.bool(env.get('git-credential-helper'), 'env.git-credential-helper'),
  };
}

function readPhases(r: Reader, pair: Pair): Buildspec['phases'] {
  const phases: Buildspec['phases'] = {};
  if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return phases;
  for (const [key, p] of r.map(pair.value, 'phases', PHASE_KEYS)) {
    const where = `phases.${key}`;
    const allowed = ['run-as', 'on-failure', 'commands', 'finally', ...(key === 'install' ? ['runtime-versions'] : [])];
    const m = r.map(p.value, where, allowed);
    const runtimeVersions = m.get('runtime-versions') ? r.strings(m.get('runtime-versions'), `${where}.runtime-versions`) : undefined;
    if (!m.get('commands') && !(key === 'install' && runtimeVersions)) r.fail(`Missing required key 'commands' in ${where}`, p.key as Node);
    phases[key as PhaseKey] = {
      commands: r.list(m.get('commands'), `${where}.commands`),
      finally: r.list(m.get('finally'), `${where}.finally`),
      runAs: r.str(m.get('run-as'), `${where}.run-as`),
      onFailure: readOnFailure(r, m.get('on-failure'), where),
      runtimeVersions,
    };
  }
  return phases;
}

/** ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex>, RETRY-<count>-<regex>. */
export function parseOnFailure(text: string): OnFailure | undefined {
  if (text === 'ABORT' || text === 'CONTINUE') return { mode: text, retries: 0 };
  if (text === 'RETRY') return { mode: 'RETRY', retries: 3 };
  const m = /^RETRY-(?:(\d+)(?:-(.+))?|(.+))$/s.exec(text);
  if (!m) return undefined;
  const retries = m[1] !== undefined ? Number(m[1]) : 3;
  if (retries > 100) return undefined;
  const source = m[2] ?? m[3];
  try {
    return { mode: 'RETRY', retries, pattern: source === undefined ? undefined : new RegExp(source) };
  } catch {
    return undefined;
  }
}

function readOnFailure(r: Reader, pair: Pair | undefined, where: string): OnFailure | undefined {
  const text = r.str(pair, `${where}.on-failure`);
  if (text === undefined) return undefined;
  const parsed = parseOnFailure(text);
  if (!parsed) r.fail(`Invalid value '${text}' for ${where}.on-failure: expected ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>`, pair!.value as Node);
  return parsed;
}

const ARTIFACT_KEYS = ['files', 'name', 'discard-paths', 'base-directory', 'exclude-paths', 'enable-symlinks', 's3-prefix'];

function readArtifactSpec(r: Reader, m: Map<string, Pair>, where: string, node: Node): ArtifactSpec {
  const files = r.list(m.get('files'), `${where}.files`);
  if (!m.get('files')) r.fail(`Missing required key 'files' in ${where}`, node);
  return {
    files,
    name: r.str(m.get('name'), `${where}.name`),
    discardPaths: r.bool(m.get('discard-paths'), `${where}.discard-paths`),
    baseDirectory: r.str(m.get('base-directory'), `${where}.base-directory`),
    excludePaths: r.list(m.get('exclude-paths'), `${where}.exclude-paths`),
    enableSymlinks: r.bool(m.get('enable-symlinks'), `${where}.enable-symlinks`),
    s3Prefix: r.str(m.get('s3-prefix'), `${where}.s3-prefix`),
  };
}

function readArtifacts(r: Reader, pair: Pair): NonNullable<Buildspec['artifacts']> {
  const m = r.map(pair.value, 'artifacts', [...ARTIFACT_KEYS, 'secondary-artifacts']);
  const secondary: Record<string, ArtifactSpec> = {};
  const sec = m.get('secondary-artifacts');
  if (sec) {
    for (const [id, p] of r.map(sec.value, 'artifacts.secondary-artifacts', anyKey(sec.value))) {
      secondary[id] = readArtifactSpec(r, r.map(p.value, `artifacts.secondary-artifacts.${id}`, ARTIFACT_KEYS), `artifacts.secondary-artifacts.${id}`, p.key as Node);
    }
  }
  return { ...readArtifactSpec(r, m, 'artifacts', pair.key as Node), secondary };
}

function readReports(r: Reader, pair: Pair | undefined): Record<string, ReportSpec> {
  const out: Record<string, ReportSpec> = {};
  if (!pair) return out;
  for (const [name, p] of r.map(pair.value, 'reports', anyKey(pair.value))) {
    const where = `reports.${name}`;
    const m = r.map(p.value, where, ['files', 'base-directory', 'discard-paths', 'file-format']);
    if (!m.get('files')) r.fail(`Missing required key 'files' in ${where}`, p.key as Node);
    const format = (r.str(m.get('file-format'), `${where}.file-format`) ?? 'JUNITXML').toUpperCase();
    if (!REPORT_FORMATS.includes(format)) r.fail(`Invalid file-format '${format}' in ${where}`, m.get('file-format')!.value as Node);
    out[name] = {
      files: r.list(m.get('files'), `${where}.files`),
      baseDirectory: r.str(m.get('base-directory'), `${where}.base-directory`),
      discardPaths: r.bool(m.get('discard-paths'), `${where}.discard-paths`),
      fileFormat: format,
    };
  }
  if (Object.keys(out).length > 5) r.fail('A project can have at most 5 report groups in reports', pair.key as Node);
  return out;
}

function readCache(r: Reader, pair: Pair): CacheSpec {
  const m = r.map(pair.value, 'cache', ['paths', 'key', 'fallback-keys', 'action']);
  if (!m.get('paths')) r.fail("Missing required key 'paths' in cache", pair.key as Node);
  const action = r.str(m.get('action'), 'cache.action');
  if (action !== undefined && action !== 'restore' && action !== 'save') r.fail(`Invalid cache.action '${action}': expected restore or save`, m.get('action')!.value as Node);
  const fallbackKeys = r.list(m.get('fallback-keys'), 'cache.fallback-keys');
  if (fallbackKeys.length > 5) r.fail('cache.fallback-keys can list at most 5 keys', m.get('fallback-keys')!.value as Node);
  return { paths: r.list(m.get('paths'), 'cache.paths'), key: r.str(m.get('key'), 'cache.key'), fallbackKeys, action };
}
