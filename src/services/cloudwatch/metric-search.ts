import type { Dimension } from '../../aws/models/generated/cloudwatch.js';

/** A metric as SEARCH sees it. */
export interface SearchableMetric {
  namespace: string;
  name: string;
  dimensions: Dimension[];
}

interface SearchQuery {
  /** `{Namespace,Dim1,Dim2}`: the namespace and the exact set of dimension names. */
  schema?: { namespace: string; dims: string[] };
  /** key=value terms: MetricName, Namespace, or a dimension name. */
  exact: { key: string; value: string }[];
  /** Free words, each matched against any part of the metric. */
  words: string[];
}

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');

/** Parses SEARCH's first argument: `{AWS/EC2,InstanceId} MetricName="CPUUtilization" prod`. */
export function parseSearch(text: string): SearchQuery {
  const q: SearchQuery = { exact: [], words: [] };
  let rest = text.trim();
  const schema = /^\{([^}]*)\}/.exec(rest);
  if (schema) {
    const parts = schema[1].split(',').map((p) => unquote(p.trim())).filter(Boolean);
    q.schema = { namespace: parts[0] ?? '', dims: parts.slice(1).sort() };
    rest = rest.slice(schema[0].length);
  }
  const term = /([A-Za-z0-9_.\-/:]+|"[^"]*")\s*=\s*("[^"]*"|[^\s"()]+)|"([^"]*)"|([^\s"()]+)/g;
  for (let m = term.exec(rest); m; m = term.exec(rest)) {
    if (m[1] !== undefined) q.exact.push({ key: unquote(m[1]), value: unquote(m[2]) });
    else {
      const word = m[3] ?? m[4];
      if (word && !/^(AND|OR|NOT)$/.test(word)) q.words.push(word);
    }
  }
  return q;
}

const tokens = (m: SearchableMetric) => [m.namespace, m.name, ...m.dimensions.flatMap((d) => [d.Name, d.Value])];

export function matchesSearch(q: SearchQuery, m: SearchableMetric): boolean {
  if (q.schema) {
    if (q.schema.namespace !== m.namespace) return false;
    const names = m.dimensions.map((d) => d.Name).sort();
    if (names.length !== q.schema.dims.length || names.some((n, i) => n !== q.schema!.dims[i])) return false;
  }
  for (const { key, value } of q.exact) {
    if (key === 'MetricName' && m.name !== value) return false;
    else if (key === 'Namespace' && m.namespace !== value) return false;
    else if (key !== 'MetricName' && key !== 'Namespace' && m.dimensions.find((d) => d.Name === key)?.Value !== value) return false;
  }
  const parts = tokens(m).map((t) => t.toLowerCase());
  return q.words.every((w) => parts.some((p) => p.includes(w.toLowerCase())));
}
