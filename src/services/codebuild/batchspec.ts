import { parse } from 'yaml';
import { BuildspecError } from './buildspec.js';

/** What one build of a batch overrides in the batch's settings. */
export interface GroupEnv {
  image?: string;
  computeType?: string;
  type?: string;
  privilegedMode?: boolean;
  variables: Record<string, string>;
}

/** One build of the batch, as its `build-list`, `build-graph` or `build-matrix` entry says. */
export interface GroupPlan {
  identifier: string;
  dependsOn: string[];
  ignoreFailure: boolean;
  /** A buildspec path (in the source) other than the batch's. */
  buildspec?: string;
  env: GroupEnv;
}

export interface BatchPlan {
  fastFail: boolean;
  combineArtifacts: boolean;
  groups: GroupPlan[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const IDENTIFIER = /^[A-Za-z0-9_]{1,127}$/;

function fail(message: string): never {
  throw new BuildspecError(message);
}

function str(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') fail(`Expected ${where} to be of string type`);
  return String(v);
}

function envOf(v: unknown, where: string): GroupEnv {
  if (v === undefined || v === null) return { variables: {} };
  if (!isObj(v)) fail(`Expected ${where} to be a map`);
  const vars = v.variables ?? {};
  if (!isObj(vars)) fail(`Expected ${where}.variables to be a map`);
  return {
    image: str(v.image, `${where}.image`),
    computeType: str(v['compute-type'], `${where}.compute-type`),
    type: str(v.type, `${where}.type`),
    privilegedMode: v['privileged-mode'] === undefined ? undefined : v['privileged-mode'] === true,
    variables: Object.fromEntries(Object.entries(vars).map(([k, x]) => [k, str(x, `${where}.variables.${k}`) ?? ''])),
  };
}

/** `build-list` and `build-graph` entries (the graph's may `depend-on` others). */
function listOf(v: unknown, key: string): GroupPlan[] {
  if (!Array.isArray(v) || v.length === 0) fail(`Expected batch.${key} to be a non-empty list`);
  return v.map((e: unknown, i) => {
    const where = `batch.${key}[${i}]`;
    if (!isObj(e)) fail(`Expected ${where} to be a map`);
    const identifier = str(e.identifier, `${where}.identifier`) ?? fail(`${where}.identifier is required`);
    if (!IDENTIFIER.test(identifier)) fail(`${where}.identifier ${identifier} must be letters, digits and underscores`);
    const deps = e['depend-on'] ?? [];
    if (!Array.isArray(deps)) fail(`Expected ${where}.depend-on to be a list`);
    if (deps.length > 0 && key !== 'build-graph') fail(`${where}.depend-on is only valid in a build-graph`);
    return { identifier, dependsOn: deps.map((d, j) => str(d, `${where}.depend-on[${j}]`)!), ignoreFailure: e['ignore-failure'] === true, buildspec: str(e.buildspec, `${where}.buildspec`), env: envOf(e.env, `${where}.env`) };
  });
}

/** Every combination of a dynamic matrix's lists, in order (first list slowest). */
function product(axes: [string, unknown[]][]): Obj[] {
  let out: Obj[] = [{}];
  for (const [k, values] of axes) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out;
}

function listValues(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** `build-matrix`: `static` settings for every build, `dynamic` lists multiplied out, one build per combination. */
function matrixOf(v: unknown): GroupPlan[] {
  if (!isObj(v)) fail('Expected batch.build-matrix to be a map');
  const st = isObj(v.static) ? v.static : {};
  const dyn = isObj(v.dynamic) ? v.dynamic : fail('batch.build-matrix.dynamic is required');
  const base = envOf(st.env, 'batch.build-matrix.static.env');
  const denv = isObj(dyn.env) ? dyn.env : {};
  const dvars = isObj(denv.variables) ? denv.variables : {};
  const axes: [string, unknown[]][] = [
    ['buildspec', listValues(dyn.buildspec)],
    ['image', listValues(denv.image)],
    ['compute-type', listValues(denv['compute-type'])],
    ...Object.entries(dvars).map(([k, x]): [string, unknown[]] => [`var:${k}`, listValues(x)]),
  ].filter((a): a is [string, unknown[]] => a[1].length > 0);
  if (axes.length === 0) fail('batch.build-matrix.dynamic must list buildspecs or env values');
  return product(axes).map((combo, i) => {
    const variables = { ...base.variables };
    for (const [k, x] of Object.entries(combo)) if (k.startsWith('var:')) variables[k.slice(4)] = String(x);
    return {
      identifier: `build${i + 1}`,
      dependsOn: [],
      ignoreFailure: st['ignore-failure'] === true,
      buildspec: str(combo.buildspec, 'batch.build-matrix.dynamic.buildspec') ?? str(st.buildspec, 'batch.build-matrix.static.buildspec'),
      env: { ...base, image: str(combo.image, 'image') ?? base.image, computeType: str(combo['compute-type'], 'compute-type') ?? base.computeType, variables },
    };
  });
}

/** Checks that every `depend-on` names a build of the graph and that the graph has no cycle. */
function checkGraph(groups: GroupPlan[]): void {
  const ids = new Set(groups.map((g) => g.identifier));
  if (ids.size !== groups.length) fail('batch build identifiers must be unique');
  for (const g of groups) for (const d of g.dependsOn) if (!ids.has(d)) fail(`batch.build-graph: ${g.identifier} depends on ${d}, which is not in the graph`);
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(groups.map((g) => [g.identifier, g]));
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') fail(`batch.build-graph has a dependency cycle through ${id}`);
    state.set(id, 'visiting');
    for (const d of byId.get(id)!.dependsOn) visit(d);
    state.set(id, 'done');
  };
  for (const g of groups) visit(g.identifier);
}

/** The buildspec's `batch:` section as a plan of builds. Throws BuildspecError (YAML_FILE_ERROR). */
export function parseBatch(text: string, combineDefault = false): BatchPlan {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    fail(`YAML syntax error: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc) || !isObj(doc.batch)) fail('The buildspec has no batch section: a batch build needs build-list, build-matrix or build-graph under batch');
  const b = doc.batch;
  const kinds = ['build-list', 'build-graph', 'build-matrix', 'build-fanout'].filter((k) => b[k] !== undefined);
  if (kinds.length !== 1) fail('batch must have exactly one of build-list, build-graph, build-matrix or build-fanout');
  if (kinds[0] === 'build-fanout') fail('batch.build-fanout is not supported by Slipway');
  const groups = kinds[0] === 'build-matrix' ? matrixOf(b['build-matrix']) : listOf(b[kinds[0]], kinds[0]);
  checkGraph(groups);
  return { fastFail: b['fast-fail'] === true, combineArtifacts: b['combine-artifacts'] === undefined ? combineDefault : b['combine-artifacts'] === true, groups };
}
