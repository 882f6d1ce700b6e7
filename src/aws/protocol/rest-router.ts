import type { ServiceModel } from '../models/service-model.js';
import type { OperationModel } from '../models/shapes.js';
import { tryDecodeUri } from './values.js';
import type { WireRequest } from './wire.js';

/** An operation's HTTP binding compiled for matching: method, path pattern, literal query keys. */
interface Route {
  op: OperationModel;
  method: string;
  pattern: RegExp;
  labels: string[];
  /** Query keys fixed by the requestUri (`?uploads`, `?list-type=2`). */
  queryLiterals: [string, string | undefined][];
  /** Query and header names of required members bound there: a request with them all fits better. */
  requiredBindings: { kind: 'query' | 'header'; name: string }[];
  literalLength: number;
}

export interface RouteMatch {
  op: OperationModel;
  /** URI label values, percent-decoded. */
  labels: Record<string, string>;
}

function compile(model: ServiceModel, op: OperationModel): Route {
  const uri = op.http?.requestUri ?? '/';
  const [pathPart, queryPart] = uri.split('?', 2);
  const labels: string[] = [];
  let literalLength = 0;
  const source = pathPart.replace(/\{([^}]+?)(\+?)\}|([^{]+)/g, (_m, label: string, greedy: string, literal: string) => {
    if (literal !== undefined) {
      literalLength += literal.length;
      return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    labels.push(label);
    return greedy ? '(.+)' : '([^/]+)';
  });
  const queryLiterals: [string, string | undefined][] = [];
  for (const pair of (queryPart ?? '').split('&').filter(Boolean)) {
    const [k, v] = pair.split('=', 2);
    queryLiterals.push([decodeURIComponent(k), v === undefined ? undefined : decodeURIComponent(v)]);
  }
  const requiredBindings: Route['requiredBindings'] = [];
  const input = model.inputShape(op);
  for (const name of input?.required ?? []) {
    const ref = input!.members![name];
    if (ref.location === 'querystring') requiredBindings.push({ kind: 'query', name: ref.locationName ?? name });
    if (ref.location === 'header') requiredBindings.push({ kind: 'header', name: (ref.locationName ?? name).toLowerCase() });
  }
  const trailing = source.endsWith('/') ? '' : '/?';
  return {
    op,
    method: (op.http?.method ?? 'POST').toUpperCase(),
    pattern: new RegExp(`^${source}${trailing}$`),
    labels,
    queryLiterals,
    requiredBindings,
    literalLength,
  };
}

function routes(model: ServiceModel): Route[] {
  return model.cached('rest-routes', () =>
    Object.values(model.operations)
      .map((op) => compile(model, op))
      .sort((a, b) => a.op.name.localeCompare(b.op.name)),
  );
}

/**
 * Finds the operation a REST request addresses. Among the routes whose method, path and
 * literal query keys match, the best is the one whose required query and header bindings
 * are all present, then the one with the most literal query keys, bindings and path text
 * (so `PUT /{Bucket}/{Key+}` with `x-amz-copy-source` is CopyObject, not PutObject). On a tie the
 * current operation beats a deprecated one on the same route (S3's PutBucketNotification).
 */
export function matchRoute(model: ServiceModel, req: WireRequest): RouteMatch | undefined {
  let best: { route: Route; match: RegExpExecArray; score: number[] } | undefined;
  for (const route of routes(model)) {
    if (route.method !== req.method) continue;
    const match = route.pattern.exec(req.path);
    if (!match) continue;
    if (!route.queryLiterals.every(([k, v]) => req.query.has(k) && (v === undefined || req.query.get(k) === v))) continue;
    const present = route.requiredBindings.filter((b) => (b.kind === 'query' ? req.query.has(b.name) : b.name in req.headers)).length;
    const score = [present === route.requiredBindings.length ? 1 : 0, route.queryLiterals.length, present, route.literalLength, -route.labels.length, route.op.deprecated ? 0 : 1];
    if (!best || compareScores(score, best.score) > 0) best = { route, match, score };
  }
  if (!best) return undefined;
  const labels: Record<string, string> = {};
  best.route.labels.forEach((label, i) => {
    labels[label] = tryDecodeUri(best!.match[i + 1]) ?? best!.match[i + 1];
  });
  return { op: best.route.op, labels };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
