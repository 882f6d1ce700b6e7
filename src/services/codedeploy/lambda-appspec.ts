import { parse } from 'yaml';

/** What a Lambda deployment's AppSpec asks for: one function alias moved between two versions. */
export interface LambdaAppSpec {
  functionName: string;
  alias: string;
  currentVersion: string;
  targetVersion: string;
  hooks: { BeforeAllowTraffic?: string; AfterAllowTraffic?: string };
}

/** An AppSpec problem, named with its location; CreateDeployment answers InvalidRevisionException with it. */
export class AppSpecError extends Error {}

const HOOK_EVENTS = ['BeforeAllowTraffic', 'AfterAllowTraffic'] as const;
const RESERVED = ['Start', 'AllowTraffic', 'End'];

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A key looked up without regard to case: the AppSpec reference writes them both ways. */
function field(obj: Dict, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

/** Versions are positive integers; YAML may read them as numbers. */
function version(props: Dict, name: string, where: string): string {
  const raw = field(props, name);
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!text) throw new AppSpecError(`The AppSpec file is missing ${where}.Properties.${name}.`);
  if (!/^[1-9][0-9]*$/.test(text)) throw new AppSpecError(`${where}.Properties.${name} must be a published version number (a positive integer), got "${text}".`);
  return text;
}

function text(props: Dict, name: string, where: string): string {
  const raw = field(props, name);
  if (typeof raw !== 'string' || !raw.trim()) throw new AppSpecError(`The AppSpec file is missing ${where}.Properties.${name}.`);
  return raw.trim();
}

function resource(doc: Dict): LambdaAppSpec {
  const resources = field(doc, 'Resources');
  if (!Array.isArray(resources) || !resources.length) throw new AppSpecError('The AppSpec file has no Resources section: it must name one AWS::Lambda::Function.');
  if (resources.length > 1) throw new AppSpecError(`The AppSpec file names ${resources.length} resources: a Lambda deployment updates exactly one function.`);
  const entry = resources[0];
  const names = isDict(entry) ? Object.keys(entry) : [];
  if (names.length !== 1 || !isDict((entry as Dict)[names[0]])) throw new AppSpecError('Resources[0] must be a map of one logical name to its Type and Properties.');
  const where = `Resources.${names[0]}`;
  const res = (entry as Dict)[names[0]] as Dict;
  const type = field(res, 'Type');
  if (type !== 'AWS::Lambda::Function') throw new AppSpecError(`${where}.Type must be AWS::Lambda::Function, got ${type === undefined ? 'nothing' : JSON.stringify(type)}.`);
  const props = field(res, 'Properties');
  if (!isDict(props)) throw new AppSpecError(`${where} has no Properties.`);
  const spec = {
    functionName: text(props, 'Name', where), alias: text(props, 'Alias', where),
    currentVersion: version(props, 'CurrentVersion', where), targetVersion: version(props, 'TargetVersion', where), hooks: {},
  };
  if (spec.currentVersion === spec.targetVersion) throw new AppSpecError(`${where}: CurrentVersion and TargetVersion are both ${spec.currentVersion}; a deployment moves the alias to a different version.`);
  return spec;
}

function hooks(doc: Dict): LambdaAppSpec['hooks'] {
  const list = field(doc, 'Hooks');
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new AppSpecError('Hooks must be a list of { <LifecycleEvent>: <function name> } entries.');
  const out: LambdaAppSpec['hooks'] = {};
  list.forEach((entry, i) => {
    if (!isDict(entry)) throw new AppSpecError(`Hooks[${i}] must map a lifecycle event to a function name.`);
    for (const [name, fn] of Object.entries(entry)) {
      const event = HOOK_EVENTS.find((e) => e.toLowerCase() === name.toLowerCase());
      if (!event) {
        const why = RESERVED.some((r) => r.toLowerCase() === name.toLowerCase()) ? 'is run by CodeDeploy and cannot have a hook' : 'is not a Lambda lifecycle event (BeforeAllowTraffic, AfterAllowTraffic)';
        throw new AppSpecError(`Hooks[${i}]: ${name} ${why}.`);
      }
      if (typeof fn !== 'string' || !fn.trim()) throw new AppSpecError(`Hooks[${i}].${event} must name a Lambda function.`);
      if (out[event]) throw new AppSpecError(`Hooks: ${event} is given more than once.`);
      out[event] = fn.trim();
    }
  });
  return out;
}

/** Reads a Lambda AppSpec (YAML or JSON, JSON being YAML) and checks it as CodeDeploy does. */
export function parseLambdaAppSpec(content: string): LambdaAppSpec {
  let doc: unknown;
  try {
    doc = parse(content);
  } catch (e) {
    throw new AppSpecError(`The AppSpec file is not valid YAML or JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (!isDict(doc)) throw new AppSpecError('The AppSpec file must be a YAML or JSON object with version, Resources and, optionally, Hooks.');
  const v = field(doc, 'version');
  if (v === undefined) throw new AppSpecError('The AppSpec file is missing its version: it must be 0.0.');
  if (String(v) !== '0' && String(v) !== '0.0') throw new AppSpecError(`The AppSpec file's version must be 0.0, got ${String(v)}.`);
  return { ...resource(doc), hooks: hooks(doc) };
}
