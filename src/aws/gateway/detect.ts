import { loadModel, serviceIndex } from '../models/index.js';
import type { Protocol, ServiceIndexEntry } from '../models/shapes.js';
import { cborPathParts, isCborRequest } from '../protocol/cbor.js';
import { queryParams } from '../protocol/query.js';
import { routeOf } from '../protocol/rest.js';
import type { WireRequest } from '../protocol/wire.js';
import type { SignatureInfo } from './auth.js';

/** The service and wire protocol a request is for. */
export interface Detected {
  service: string;
  protocol: Protocol;
}

interface Indexes {
  byTargetPrefix: Map<string, string>;
  bySigningName: Map<string, string[]>;
  /** Query-protocol services by signing name. */
  queryBySigningName: Map<string, string[]>;
  queryServices: string[];
  restServices: string[];
}

let indexes: Indexes | undefined;

function build(): Indexes {
  const ix: Indexes = { byTargetPrefix: new Map(), bySigningName: new Map(), queryBySigningName: new Map(), queryServices: [], restServices: [] };
  for (const [name, e] of Object.entries(serviceIndex())) {
    if (e.targetPrefix) ix.byTargetPrefix.set(e.targetPrefix, name);
    const list = ix.bySigningName.get(e.signingName) ?? [];
    list.push(name);
    ix.bySigningName.set(e.signingName, list);
    if (isQueryFamily(e)) {
      ix.queryServices.push(name);
      ix.queryBySigningName.set(e.signingName, [...(ix.queryBySigningName.get(e.signingName) ?? []), name]);
    }
    if (restProtocol(e)) ix.restServices.push(name);
  }
  // S3 accepts almost any path, so it is tried last.
  ix.restServices.sort((a, b) => Number(a === 's3') - Number(b === 's3'));
  return ix;
}

function ix(): Indexes {
  return (indexes ??= build());
}

const entry = (service: string): ServiceIndexEntry => serviceIndex()[service];
const isQueryFamily = (e: ServiceIndexEntry) => e.protocols.includes('query') || e.protocols.includes('ec2');
const restProtocol = (e: ServiceIndexEntry): Protocol | undefined => e.protocols.find((p) => p === 'rest-json' || p === 'rest-xml');

/** Smithy RPC v2 CBOR (by header and path) and AWS JSON (by X-Amz-Target) name their service outright. */
export function detectByHeaders(req: WireRequest): Detected | undefined {
  if (isCborRequest(req.headers)) {
    const parts = cborPathParts(req.path);
    const service = parts && ix().byTargetPrefix.get(parts.service);
    if (service && entry(service).protocols.includes('smithy-rpc-v2-cbor')) return { service, protocol: 'smithy-rpc-v2-cbor' };
    return undefined;
  }
  const target = req.headers['x-amz-target'];
  if (target) {
    const dot = target.lastIndexOf('.');
    const service = dot > 0 ? ix().byTargetPrefix.get(target.slice(0, dot)) : undefined;
    if (service && entry(service).protocols.includes('json')) return { service, protocol: 'json' };
  }
  return undefined;
}

/** A form POST, or a GET carrying Action, speaks the query protocol; its body must be read first. */
export function looksLikeQuery(req: WireRequest, sig: SignatureInfo): boolean {
  if (req.query.has('Action')) return true;
  if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return false;
  return !sig.signingName || ix().queryBySigningName.has(sig.signingName);
}

/** Picks the query-protocol service by signing name, then by the Version parameter. */
export function detectQuery(req: WireRequest, sig: SignatureInfo): Detected | undefined {
  const version = queryParams(req).get('Version');
  const signed = sig.signingName ? ix().bySigningName.get(sig.signingName) : undefined;
  const candidates = signed ? (ix().queryBySigningName.get(sig.signingName!) ?? []) : ix().queryServices;
  const pick = (candidates.length === 1 && (signed || entry(candidates[0]).apiVersion === version) ? candidates[0] : undefined) ??
    candidates.find((s) => entry(s).apiVersion === version);
  if (!pick) return undefined;
  return { service: pick, protocol: entry(pick).protocols.includes('ec2') ? 'ec2' : 'query' };
}

/** Tries the REST services (the signed one, or all of them with S3 last) for a route that fits. */
export function detectRest(req: WireRequest, sig: SignatureInfo): Detected | undefined {
  const signed = sig.signingName ? ix().bySigningName.get(sig.signingName) : undefined;
  const candidates = (signed ?? ix().restServices).filter((s) => restProtocol(entry(s)));
  for (const service of candidates) {
    if (routeOf(loadModel(service), req)) return { service, protocol: restProtocol(entry(service))! };
  }
  // A signed request for a REST service whose path fits no operation still belongs to it.
  if (signed && candidates.length === 1) return { service: candidates[0], protocol: restProtocol(entry(candidates[0]))! };
  return undefined;
}
