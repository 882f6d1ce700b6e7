/**
 * An error a service answers with. `code` names the error shape in the service model
 * (e.g. `NoSuchEntityException`) or, for errors the model does not declare, the wire code
 * itself; the protocol layer maps it to the status, code and body AWS sends.
 */
export class ServiceError extends Error {
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly fields: Record<string, unknown>;
  readonly senderFault: boolean;
  /** Extra response headers (e.g. S3's x-amz-delete-marker on a 404). */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    message: string,
    options: { statusCode?: number; fields?: Record<string, unknown>; senderFault?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = options.statusCode;
    this.fields = options.fields ?? {};
    this.senderFault = options.senderFault ?? (options.statusCode === undefined || options.statusCode < 500);
    this.headers = options.headers ?? {};
  }
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof ServiceError;
}

/** Narrows an unknown thrown value to a message for logs and wrapped errors. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
