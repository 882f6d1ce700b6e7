/** A JSON value at the end of a path: what patterns compare against. */
export type Scalar = string | number | boolean | null;

/** One leaf value, with the array elements it sits in (pairs of array id and index). */
export interface Leaf {
  value: Scalar;
  arrays: number[];
}

/** An event as patterns see it: leaves by dotted path (`detail.state`). */
export type FlatEvent = Map<string, Leaf[]>;

/**
 * Flattens a JSON document into leaves keyed by their dotted path. Arrays contribute each
 * element under the array's own path, remembering which element a leaf came from so that
 * conditions on fields of one array element are not satisfied by fields of another.
 * Empty objects and empty arrays contribute nothing: to a pattern, such a field is absent.
 */
export function flattenEvent(doc: unknown): FlatEvent {
  const out: FlatEvent = new Map();
  let nextArray = 0;
  const visit = (value: unknown, path: string, arrays: number[]): void => {
    if (Array.isArray(value)) {
      const id = nextArray++;
      value.forEach((item, i) => visit(item, path, [...arrays, id, i]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) visit(child, path ? `${path}.${key}` : key, arrays);
    } else if (path) {
      const leaf: Leaf = { value: value as Scalar, arrays };
      const list = out.get(path);
      if (list) list.push(leaf);
      else out.set(path, [leaf]);
    }
  };
  visit(doc, '', []);
  return out;
}

/** Whether two leaves can come from the same event object: shared arrays use the same element. */
export function consistent(a: Leaf, b: Leaf): boolean {
  if (!a.arrays.length || !b.arrays.length) return true;
  for (let i = 0; i < a.arrays.length; i += 2) {
    for (let j = 0; j < b.arrays.length; j += 2) {
      if (a.arrays[i] === b.arrays[j] && a.arrays[i + 1] !== b.arrays[j + 1]) return false;
    }
  }
  return true;
}
