/**
 * An operation's output with its JSON document already written, for answers of many
 * megabytes (a page of 10,000 log events): the service writes the text in one pass instead
 * of building objects that the codec walks and `JSON.stringify` writes again. The output's
 * fields stay what in-process callers read; the text must be the same document the model
 * walk would write for them.
 */
const BODY = Symbol('slipway.jsonBody');

interface WithBody {
  [BODY]?: () => string | Buffer;
}

/**
 * Attaches the JSON document of `output` (written when the codec asks for it), as text or as
 * its UTF-8 bytes (sent as they are: no encoding of megabytes of text on the way out).
 */
export function withJsonBody<T extends object>(output: T, body: () => string | Buffer): T {
  Object.defineProperty(output, BODY, { value: body, enumerable: false });
  return output;
}

/** The attached JSON document, if the output has one. */
export function jsonBodyOf(output: unknown): string | Buffer | undefined {
  return output !== null && typeof output === 'object' ? (output as WithBody)[BODY]?.() : undefined;
}
