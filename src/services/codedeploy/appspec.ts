import { parse } from 'yaml';

export const HOOK_EVENTS = ['ApplicationStop', 'BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService', 'BeforeBlockTraffic', 'AfterBlockTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'] as const;
/** Events the agent itself performs; they cannot run scripts. */
export const RESERVED_EVENTS = ['DownloadBundle', 'Install', 'BlockTraffic', 'AllowTraffic'];

export interface FileMapping {
  source: string;
  destination: string;
}

export interface Permission {
  object: string;
  pattern: string;
  except: string[];
  owner?: string;
  group?: string;
  /** Parsed octal mode. */
  mode?: number;
  type: ('file' | 'directory')[];
}

export interface Hook {
  location: string;
  /** Seconds. */
  timeout: number;
  runas?: string;
}

export interface AppSpec {
  os: 'linux' | 'windows';
  files: FileMapping[];
  permissions: Permission[];
  hooks: Record<string, Hook[]>;
  fileExistsBehavior?: 'DISALLOW' | 'OVERWRITE' | 'RETAIN';
}

/** A problem with the AppSpec file; the agent reports it against the event that read the file. */
export class AppSpecError extends Error {}

type Doc = Record<string, unknown>;

/**
 * Keys are matched without regard to case: the agent documents them in lower case, and
 * AppSpec files written for other platforms capitalise them (`Files`, `Hooks`); the
 * `Resources` section only applies to ECS and Lambda and is ignored here.
 */
function key(doc: Doc, name: string): unknown {
  const found = Object.keys(doc).find((k) => k.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : doc[found];
}

export function parseAppSpec(text: string): AppSpec {
  let doc: unknown;
  try {
    // The agent's YAML reader (Ruby's Psych) lets a repeated key win over the earlier one.
    doc = parse(text, { uniqueKeys: false });
  } catch (e) {
    throw new AppSpecError(`The AppSpec file is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new AppSpecError('The AppSpec file must be a YAML mapping with a version.');
  const d = doc as Doc;
  const version = key(d, 'version');
  if (String(version) !== '0' && String(version) !== '0.0') throw new AppSpecError(`The AppSpec file's version must be 0.0 (the only allowed value), not ${JSON.stringify(version ?? null)}.`);
  const os = String(key(d, 'os') ?? 'linux');
  if (os !== 'linux' && os !== 'windows') throw new AppSpecError(`The AppSpec file's os must be linux or windows, not ${os}.`);
  const feb = key(d, 'file_exists_behavior');
  if (feb !== undefined && !['DISALLOW', 'OVERWRITE', 'RETAIN'].includes(String(feb))) throw new AppSpecError(`file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN, not ${String(feb)}.`);
  return {
    os,
    files: list(key(d, 'files'), 'files').map(fileMapping),
    permissions: list(key(d, 'permissions'), 'permissions').map(permission),
    hooks: hooks(key(d, 'hooks')),
    fileExistsBehavior: feb as AppSpec['fileExistsBehavior'],
  };
}

function list(value: unknown, name: string): Doc[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => !v || typeof v !== 'object')) throw new AppSpecError(`The AppSpec file's ${name} section must be a list of mappings.`);
  return value as Doc[];
}

function fileMapping(f: Doc, i: number): FileMapping {
  const source = key(f, 'source');
  const destination = key(f, 'destination');
  if (typeof source !== 'string' || !source) throw new AppSpecError(`files[${i}] has no source.`);
  if (typeof destination !== 'string' || !destination.startsWith('/')) throw new AppSpecError(`files[${i}] destination must be an absolute path, not ${JSON.stringify(destination ?? null)}.`);
  return { source, destination };
}

function permission(p: Doc, i: number): Permission {
  const object = key(p, 'object');
  if (typeof object !== 'string' || !object.startsWith('/')) throw new AppSpecError(`permissions[${i}] object must be an absolute path.`);
  const rawMode = key(p, 'mode');
  let mode: number | undefined;
  if (rawMode !== undefined) {
    const text = String(rawMode);
    if (!/^[0-7]{3,4}$/.test(text)) throw new AppSpecError(`permissions[${i}] mode ${JSON.stringify(rawMode)} is not valid: a mode is three or four octal digits such as 755 or 4755.`);
    mode = parseInt(text, 8);
  }
  const rawType = key(p, 'type');
  const type = rawType === undefined ? ['file', 'directory'] : (Array.isArray(rawType) ? rawType : [rawType]).map(String);
  if (type.some((t) => t !== 'file' && t !== 'directory')) throw new AppSpecError(`permissions[${i}] type must list file and/or directory.`);
  const except = key(p, 'except');
  return {
    object,
    pattern: String(key(p, 'pattern') ?? '**'),
    except: Array.isArray(except) ? except.map(String) : [],
    owner: key(p, 'owner') === undefined ? undefined : String(key(p, 'owner')),
    group: key(p, 'group') === undefined ? undefined : String(key(p, 'group')),
    mode,
    type: type as Permission['type'],
  };
}

function hooks(value: unknown): Record<string, Hook[]> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new AppSpecError('The AppSpec file\'s hooks section must be a mapping of lifecycle events to scripts.');
  const out: Record<string, Hook[]> = {};
  for (const [event, scripts] of Object.entries(value as Doc)) {
    if (RESERVED_EVENTS.includes(event)) throw new AppSpecError(`The lifecycle event ${event} is reserved for the CodeDeploy agent and cannot run scripts.`);
    if (!(HOOK_EVENTS as readonly string[]).includes(event)) throw new AppSpecError(`${event} is not a lifecycle event of an EC2/On-Premises deployment.`);
    out[event] = list(scripts, `hooks.${event}`).map((s, i) => {
      const location = key(s, 'location');
      if (typeof location !== 'string' || !location) throw new AppSpecError(`hooks.${event}[${i}] has no location.`);
      const timeout = Number(key(s, 'timeout') ?? 3600);
      if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) throw new AppSpecError(`hooks.${event}[${i}] timeout must be between 1 and 3600 seconds.`);
      const runas = key(s, 'runas');
      return { location, timeout, runas: runas === undefined ? undefined : String(runas) };
    });
  }
  return out;
}
