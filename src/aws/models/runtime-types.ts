import type { Readable } from 'node:stream';

/** A streaming payload: buffered bytes, or a stream read once (S3 object bodies). */
export type StreamingBody = Uint8Array | Readable;

/** The input or output of an operation the model declares without one. */
export type Empty = Record<string, never>;
