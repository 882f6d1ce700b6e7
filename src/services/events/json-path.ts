/**
 * The JSON path subset EventBridge evaluates for InputPath and InputPathsMap: `$`, dot
 * steps (names may hold dashes and slashes), `[n]` indices, `['name']`, and `*` / `[*]`
 * wildcards, which make the result the list of everything matched.
 */

type Step = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'all' };

export class JsonPathError extends Error {}

export function parseJsonPath(path: string): Step[] {
  if (!path.startsWith('$')) throw new JsonPathError(`'${path}' must start with $`);
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^\.(\*|[^.[\]]+)/.exec(path.slice(i));
      if (!m) throw new JsonPathError(`'${path}' has an empty step at position ${i + 1}`);
      steps.push(m[1] === '*' ? { kind: 'all' } : { kind: 'name', name: m[1] });
      i += m[0].length;
    } else if (path[i] === '[') {
      const m = /^\[(?:(\d+)|\*|'([^']*)'|"([^"]*)")\]/.exec(path.slice(i));
      if (!m) throw new JsonPathError(`'${path}' has a malformed [...] step at position ${i + 1}`);
      if (m[1] !== undefined) steps.push({ kind: 'index', index: Number(m[1]) });
      else if (m[2] !== undefined || m[3] !== undefined) steps.push({ kind: 'name', name: m[2] ?? m[3] });
      else steps.push({ kind: 'all' });
      i += m[0].length;
    } else throw new JsonPathError(`'${path}' has an unexpected '${path[i]}' at position ${i + 1}`);
  }
  return steps;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at `path`, undefined when it is absent; a path with wildcards gives the list of matches. */
export function evaluateJsonPath(doc: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  let current: unknown[] = [doc];
  const wildcard = steps.some((s) => s.kind === 'all');
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === 'name' && isRecord(v) && step.name in v) next.push(v[step.name]);
      else if (step.kind === 'index' && Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      else if (step.kind === 'all') next.push(...(Array.isArray(v) ? v : isRecord(v) ? Object.values(v) : []));
    }
    current = next;
  }
  return wildcard ? current : current[0];
}
