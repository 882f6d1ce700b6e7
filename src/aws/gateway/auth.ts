import { ServiceError } from '../../core/errors.js';
import type { WireRequest } from '../protocol/wire.js';

/** What a request's signature says about who sent it and where to. */
export interface SignatureInfo {
  scheme: 'sigv4' | 'sigv4-presigned' | 'sigv2' | 'none';
  accessKeyId?: string;
  /** The credential scope's date, region and service (the signing name). */
  date?: string;
  region?: string;
  signingName?: string;
  signedHeaders?: string[];
  signature?: string;
}

const SIGV4 = 'AWS4-HMAC-SHA256';

function incomplete(message: string): ServiceError {
  return new ServiceError('IncompleteSignature', message, { statusCode: 400 });
}

/**
 * Reads the SigV4 Authorization header, SigV4 presigned query parameters, or SigV2
 * (S3's older scheme). A malformed signature is refused with AWS's IncompleteSignature
 * message; verifying the signature itself is strict mode's job.
 */
export function readSignature(req: WireRequest): SignatureInfo {
  const auth = req.headers['authorization'];
  if (auth !== undefined) {
    if (auth.startsWith(SIGV4)) return parseSigV4Header(auth);
    if (auth.startsWith('AWS ')) {
      const [key, signature] = auth.slice(4).split(':');
      if (!key || !signature) throw incomplete(`Authorization header is malformed: expected 'AWS AccessKeyId:Signature'.`);
      return { scheme: 'sigv2', accessKeyId: key, signature };
    }
    throw incomplete(`Authorization header is not a supported signature (expected ${SIGV4}): '${auth.slice(0, 40)}'.`);
  }
  const credential = req.query.get('X-Amz-Credential');
  if (credential !== null) {
    const scope = parseScope(credential);
    const signature = req.query.get('X-Amz-Signature') ?? undefined;
    if (!signature) throw incomplete('Presigned request is missing the X-Amz-Signature query parameter.');
    return { scheme: 'sigv4-presigned', ...scope, signature, signedHeaders: req.query.get('X-Amz-SignedHeaders')?.split(';') };
  }
  const v2Key = req.query.get('AWSAccessKeyId');
  if (v2Key !== null) return { scheme: 'sigv2', accessKeyId: v2Key, signature: req.query.get('Signature') ?? undefined };
  return { scheme: 'none' };
}

const CREDENTIAL = /Credential=([^,\s]+)/;
const SIGNED_HEADERS = /SignedHeaders=([^,\s]+)/;
const SIGNATURE = /Signature=([^,\s]+)/;

function parseSigV4Header(auth: string): SignatureInfo {
  const credential = CREDENTIAL.exec(auth)?.[1];
  const signedHeaders = SIGNED_HEADERS.exec(auth)?.[1];
  const signature = SIGNATURE.exec(auth)?.[1];
  if (!credential || !signedHeaders || !signature) {
    const missing = [['Credential', credential], ['Signature', signature], ['SignedHeaders', signedHeaders]].filter(([, v]) => !v).map(([k]) => k);
    throw incomplete(`${missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ')} Authorization=${auth.slice(0, 60)}`);
  }
  return { scheme: 'sigv4', ...parseScope(credential), signedHeaders: signedHeaders.split(';'), signature };
}

function parseScope(credential: string): Pick<SignatureInfo, 'accessKeyId' | 'date' | 'region' | 'signingName'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !parts[0]) {
    throw incomplete(`Credential should be scoped to a valid region and service: 'AccessKeyId/date/region/service/aws4_request', got '${credential.slice(0, 100)}'.`);
  }
  return { accessKeyId: parts[0], date: parts[1], region: parts[2], signingName: parts[3] };
}
