import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { errorMessage, isServiceError, ServiceError } from '../../core/errors.js';
import { requestId as newRequestId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import { loadModel } from '../models/index.js';
import type { ServiceModel } from '../models/service-model.js';
import type { OperationModel } from '../models/shapes.js';
import { codecFor, type Codec } from '../protocol/index.js';
import { validateInput, validationMessage } from '../protocol/validate.js';
import type { WireRequest, WireResponse } from '../protocol/wire.js';
import { readSignature } from './auth.js';
import type { RequestContext } from './context.js';
import { detectByHeaders, detectQuery, detectRest, looksLikeQuery, type Detected } from './detect.js';
import { notImplemented, type Dispatcher } from './dispatcher.js';
import { flatHeaders, readBody, sendResponse, splitUrl } from './http-io.js';
import { resolvePrincipal, type CredentialLookup } from './principal.js';
import { internalFailure, unknownOperation, validationError } from './request-errors.js';

const EMPTY = Buffer.alloc(0);

/** A non-AWS endpoint on the main port (health, reset, git smart HTTP), tried before AWS detection. */
export interface HttpRoute {
  matches(method: string, path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> | void;
}

/** Adjusts a request before detection, e.g. S3 virtual-host addressing into path style. */
export type RequestRewrite = (req: WireRequest) => void;

export interface GatewayOptions {
  dispatcher: Dispatcher;
  credentials: CredentialLookup;
  log: Logger;
  defaultRegion: string;
  maxBodyBytes: number;
  routes?: HttpRoute[];
  rewrites?: RequestRewrite[];
}

/**
 * The request chain: route -> detect service -> auth -> parse -> validate -> dispatch ->
 * serialize. Every failure becomes an AWS-shaped error in the protocol of the request.
 */
export class Gateway {
  private readonly routes: HttpRoute[];
  private readonly rewrites: RequestRewrite[];

  constructor(private readonly options: GatewayOptions) {
    this.routes = [...(options.routes ?? [])];
    this.rewrites = [...(options.rewrites ?? [])];
  }

  addRoute(route: HttpRoute): void {
    this.routes.push(route);
  }

  addRewrite(rewrite: RequestRewrite): void {
    this.rewrites.push(rewrite);
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = this.options.log.debugEnabled ? performance.now() : 0;
    const { path, rawQuery } = splitUrl(req.url);
    const method = req.method ?? 'GET';
    const query = new URLSearchParams(rawQuery);
    try {
      for (const route of this.routes) {
        if (route.matches(method, path)) return await route.handle(req, res, path, query);
      }
    } catch (e) {
      this.options.log.error('route failed', { path, error: errorMessage(e) });
      if (!res.headersSent) sendResponse(res, plainError(internalFailure('-')));
      else res.destroy();
      return;
    }
    const wire: WireRequest = { method, path, query, headers: flatHeaders(req.headers), body: EMPTY };
    for (const rewrite of this.rewrites) rewrite(wire);
    const call = new Call(this.options, wire, req);
    const response = await call.run();
    sendResponse(res, response);
    if (!this.options.log.debugEnabled) return;
    this.options.log.debug('request', {
      op: `${call.detected?.service ?? '?'}.${call.op?.name ?? '?'}`,
      status: response.statusCode,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/** One AWS request making its way through the chain; holds what each step learned. */
class Call {
  readonly requestId = newRequestId();
  detected: Detected | undefined;
  model: ServiceModel | undefined;
  codec: Codec | undefined;
  op: OperationModel | undefined;
  private bodyRead = false;

  constructor(
    private readonly options: GatewayOptions,
    private readonly wire: WireRequest,
    private readonly req: IncomingMessage,
  ) {}

  async run(): Promise<WireResponse> {
    try {
      return await this.serve();
    } catch (e) {
      return this.failure(e);
    }
  }

  private async serve(): Promise<WireResponse> {
    const { wire, options } = this;
    const sig = readSignature(wire);
    this.detected = detectByHeaders(wire);
    if (!this.detected && looksLikeQuery(wire, sig)) {
      await this.readBody();
      this.detected = detectQuery(wire, sig);
    }
    this.detected ??= detectRest(wire, sig);
    if (!this.detected) throw unknownService(wire);
    const { service, protocol } = this.detected;
    const model = (this.model = loadModel(service));
    const codec = (this.codec = codecFor(protocol));
    if (!this.bodyRead) {
      const early = protocol === 'rest-json' || protocol === 'rest-xml' ? model.operation(codec.operationOf(model, wire) ?? '') : undefined;
      if (early && codec.streamsInput(model, early)) wire.stream = this.req;
      else await this.readBody();
    }
    const opName = codec.operationOf(model, wire);
    const op = (this.op = opName ? model.operation(opName) : undefined);
    if (!op) throw unknownOperation(service, protocol, opName);
    const { accountId, principal } = resolvePrincipal(sig, options.credentials);
    const ctx: RequestContext = {
      requestId: this.requestId,
      accountId,
      region: sig.region ?? options.defaultRegion,
      service,
      operation: op.name,
      protocol,
      principal,
      headers: wire.headers,
      host: wire.headers['host'] ?? 'localhost',
    };
    // Input is checked before implementation, so a malformed call is told what is wrong with it.
    const input = codec.parseInput(model, op, wire);
    const shape = model.inputShape(op);
    const problems = shape ? validateInput(model, shape, input) : [];
    if (problems.length) throw validationError(service, protocol, validationMessage(problems));
    if (!options.dispatcher.implements(service, op.name)) throw notImplemented(service, op.name);
    const output = await options.dispatcher.invoke(ctx, input);
    return codec.serializeOutput(model, op, output, ctx);
  }

  private async readBody(): Promise<void> {
    this.bodyRead = true;
    this.wire.body = await readBody(this.req, this.options.maxBodyBytes);
  }

  private failure(e: unknown): WireResponse {
    let error: ServiceError;
    if (isServiceError(e)) error = e;
    else {
      this.options.log.error('operation failed', {
        requestId: this.requestId,
        op: `${this.detected?.service ?? '?'}.${this.op?.name ?? '?'}`,
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      });
      error = internalFailure(this.requestId);
    }
    if (this.model && this.codec) return this.codec.serializeError(this.model, this.op, error, { requestId: this.requestId });
    return plainError(error, this.requestId);
  }
}

function unknownService(wire: WireRequest): ServiceError {
  return new ServiceError(
    'UnknownService',
    `Slipway could not tell which AWS service ${wire.method} ${wire.path} is for: it has no X-Amz-Target header, no SigV4 credential scope naming a service, and its path matches no service's API.`,
    { statusCode: 400 },
  );
}

/** An AWS JSON-style error, for requests no service could be determined for. */
function plainError(error: ServiceError, requestId = '-'): WireResponse {
  return {
    statusCode: error.statusCode ?? 400,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}
