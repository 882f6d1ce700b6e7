/** `#{Namespace.Name}`: namespaces are action namespaces, `codepipeline` and (V2) `variables`. */
const REFERENCE = /#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_.]+)\}/g;

export type Namespaces = Record<string, Record<string, string>>;

/** Resolves every variable reference in `text`; returns the references that have no value. */
export function resolveText(text: string, ns: Namespaces): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (whole, space: string, name: string) => {
    const v = ns[space]?.[name];
    if (v === undefined) {
      missing.push(`${space}.${name}`);
      return whole;
    }
    return v;
  });
  return { value, missing };
}

/** Resolves a whole action configuration; `missing` lists every unresolved reference. */
export function resolveConfiguration(config: Record<string, string>, ns: Namespaces): { resolved: Record<string, string>; missing: string[] } {
  const resolved: Record<string, string> = {};
  const missing: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    const r = resolveText(v, ns);
    resolved[k] = r.value;
    missing.push(...r.missing);
  }
  return { resolved, missing };
}

/** The namespaces a configuration refers to (to check that they exist when a pipeline is saved). */
export function referencedNamespaces(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1]);
}
