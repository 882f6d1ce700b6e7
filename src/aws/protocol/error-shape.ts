import type { ServiceError } from '../../core/errors.js';
import type { ServiceModel } from '../models/service-model.js';
import type { Shape } from '../models/shapes.js';

export interface ResolvedError {
  /** The code on the wire: the model's error code (awsQueryError) or the shape name. */
  code: string;
  /** The error shape's name, used where protocols send a type rather than a code. */
  typeName: string;
  statusCode: number;
  senderFault: boolean;
  shape: Shape | undefined;
}

/** Maps a ServiceError to its modeled shape (by shape name or by wire code) for status and code. */
export function resolveError(model: ServiceModel, error: ServiceError): ResolvedError {
  const shapeName = model.hasShape(error.code) ? error.code : codeIndex(model).get(error.code);
  const shape = shapeName ? model.shape(shapeName) : undefined;
  const isError = shape?.exception === true || shape?.error !== undefined;
  const trait = isError ? shape?.error : undefined;
  const statusCode = error.statusCode ?? trait?.httpStatusCode ?? (shape?.fault ? 500 : 400);
  return {
    code: trait?.code ?? error.code,
    typeName: isError && shapeName ? shapeName : error.code,
    statusCode,
    senderFault: trait?.senderFault ?? statusCode < 500,
    shape: isError ? shape : undefined,
  };
}

function codeIndex(model: ServiceModel): Map<string, string> {
  return model.cached('error-codes', () => {
    const index = new Map<string, string>();
    for (const op of Object.values(model.operations)) {
      for (const e of op.errors ?? []) {
        const code = model.shape(e.shape).error?.code;
        if (code && !index.has(code)) index.set(code, e.shape);
      }
    }
    return index;
  });
}

/** The error's message plus its modeled fields, for protocols that put both in the body. */
export function errorFields(error: ServiceError): Record<string, unknown> {
  return { ...error.fields };
}
