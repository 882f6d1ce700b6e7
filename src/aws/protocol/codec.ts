import type { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { OperationModel, Protocol } from '../models/shapes.js';
import type { WireRequest, WireResponse } from './wire.js';

export interface CodecContext {
  requestId: string;
}

/** One wire protocol: finds the operation a request names, parses its input, writes outputs and errors. */
export interface Codec {
  readonly protocol: Protocol;
  /** The name of the operation the request addresses, if the request says. */
  operationOf(model: ServiceModel, req: WireRequest): string | undefined;
  /** True when the operation's input payload is a stream the body must not be buffered for. */
  streamsInput(model: ServiceModel, op: OperationModel): boolean;
  parseInput(model: ServiceModel, op: OperationModel, req: WireRequest): Record<string, unknown>;
  serializeOutput(model: ServiceModel, op: OperationModel, output: unknown, ctx: CodecContext): WireResponse;
  serializeError(model: ServiceModel, op: OperationModel | undefined, error: ServiceError, ctx: CodecContext): WireResponse;
}
