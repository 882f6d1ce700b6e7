import { accepts, compileField, PatternError, type FieldCondition } from './conditions.js';
import { consistent, flattenEvent, type FlatEvent, type Leaf } from './flatten.js';

export { PatternError } from './conditions.js';
export { flattenEvent, type FlatEvent, type Scalar } from './flatten.js';

/** One way for the pattern to match: every listed path must satisfy its condition ($or multiplies these). */
type Branch = Map<string, FieldCondition>;

/** Rules whose `$or`s multiply out beyond this are refused rather than slowing every match. */
const MAX_BRANCHES = 1000;

/**
 * The EventBridge event-pattern language: exact values (arrays are OR), prefix, suffix,
 * equals-ignore-case, wildcard, anything-but (values, prefix, suffix, equals-ignore-case,
 * wildcard), numeric ranges, exists, cidr, `$or` and nesting. A pure matcher over parsed JSON,
 * so that SNS filter policies can use it as well.
 */
export class EventPattern {
  private constructor(private readonly branches: Branch[]) {}

  /** Compiles a pattern from its JSON text or parsed form; throws PatternError naming the offending part. */
  static compile(pattern: string | unknown): EventPattern {
    let doc: unknown = pattern;
    if (typeof pattern === 'string') {
      try {
        doc = JSON.parse(pattern);
      } catch (e) {
        throw new PatternError(`The pattern is not valid JSON: ${(e as Error).message}`, '');
      }
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PatternError('Filter is not an object', '');
    return new EventPattern(compileObject(doc as Record<string, unknown>, '', [new Map()]));
  }

  matches(event: unknown): boolean {
    return this.matchesFlat(flattenEvent(event));
  }

  /** Matches an event flattened once with flattenEvent (cheaper when many patterns see one event). */
  matchesFlat(event: FlatEvent): boolean {
    return this.branches.some((b) => matchBranch(b, event));
  }
}

function compileObject(obj: Record<string, unknown>, prefix: string, branches: Branch[]): Branch[] {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new PatternError('Empty objects are not allowed', prefix);
  for (const key of keys) {
    const value = obj[key];
    const path = key === '$or' ? prefix : prefix ? `${prefix}.${key}` : key;
    if (key === '$or') branches = compileOr(value, path, branches);
    else if (Array.isArray(value)) {
      const cond = compileField(value, path);
      for (const b of branches) b.set(path, cond);
    } else if (value !== null && typeof value === 'object') {
      branches = compileObject(value as Record<string, unknown>, path, branches);
    } else throw new PatternError(`"${key}" must be an object or an array`, path);
  }
  return branches;
}

function compileOr(value: unknown, path: string, branches: Branch[]): Branch[] {
  if (!Array.isArray(value)) throw new PatternError('It must be an Array followed with $or.', path);
  if (value.length < 2) throw new PatternError('There must have at least 2 Objects in $or relationship.', path);
  const out: Branch[] = [];
  for (const option of value) {
    if (option === null || typeof option !== 'object' || Array.isArray(option)) {
      throw new PatternError('Only JSON object is allowed in array of $or relationship.', path);
    }
    out.push(...compileObject(option as Record<string, unknown>, path, branches.map((b) => new Map(b))));
    if (out.length > MAX_BRANCHES) throw new PatternError(`The $or relationships expand to more than ${MAX_BRANCHES} combinations`, path);
  }
  return out;
}

function matchBranch(branch: Branch, event: FlatEvent): boolean {
  const chosen: Leaf[][] = [];
  let inArrays = false;
  for (const [path, cond] of branch) {
    const leaves = event.get(path);
    const hits = leaves ? leaves.filter((l) => accepts(cond, l.value)) : [];
    if (hits.length) {
      chosen.push(hits);
      if (!inArrays) inArrays = hits.some((h) => h.arrays.length > 0);
    } else if (!(cond.absent && !leaves)) return false;
  }
  return !inArrays || chooseConsistent(chosen, 0, []);
}

/** Picks one leaf per field such that fields inside one array come from the same element. */
function chooseConsistent(options: Leaf[][], i: number, picked: Leaf[]): boolean {
  if (i === options.length) return true;
  for (const leaf of options[i]) {
    if (picked.every((p) => consistent(p, leaf))) {
      picked.push(leaf);
      if (chooseConsistent(options, i + 1, picked)) return true;
      picked.pop();
    }
  }
  return false;
}
