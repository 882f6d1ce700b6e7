import { ServiceError } from '../../core/errors.js';

/** What a GET or HEAD's conditional headers decide. */
export type ConditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

function etagMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return list.split(',').some((item) => {
    const t = item.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return t === '*' || t === bare;
  });
}

/**
 * RFC 7232 as S3 applies it: If-Match wins over If-Unmodified-Since, If-None-Match over
 * If-Modified-Since; a failed If-Match or If-Unmodified-Since is 412, a matching
 * If-None-Match or an unmodified If-Modified-Since is 304. Dates compare in whole seconds.
 */
export function evaluateConditions(c: Conditions, etag: string, lastModifiedMs: number): { outcome: ConditionOutcome; header?: string } {
  const modifiedSec = Math.floor(lastModifiedMs / 1000);
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, etag)) return { outcome: 'precondition-failed', header: 'If-Match' };
  } else if (c.ifUnmodifiedSince && modifiedSec > Math.floor(c.ifUnmodifiedSince.getTime() / 1000)) {
    return { outcome: 'precondition-failed', header: 'If-Unmodified-Since' };
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, etag)) return { outcome: 'not-modified' };
  } else if (c.ifModifiedSince && modifiedSec <= Math.floor(c.ifModifiedSince.getTime() / 1000)) {
    return { outcome: 'not-modified' };
  }
  return { outcome: 'proceed' };
}

export function preconditionFailed(header: string): ServiceError {
  return new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { statusCode: 412, fields: { Condition: header } });
}

export function notModified(etag: string, lastModified: Date): ServiceError {
  return new ServiceError('NotModified', 'Not Modified', { statusCode: 304, headers: { etag, 'last-modified': lastModified.toUTCString() } });
}

/** An inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a single `bytes=` range against an object of `size` bytes. Syntax S3 does not
 * honour (other units, several ranges, garbage) means the whole object; a range that
 * starts past the end is 416 InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw invalidRange(header, size);
    return size === 0 ? undefined : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw invalidRange(header, size);
  return { start, end };
}

function invalidRange(header: string, size: number): ServiceError {
  return new ServiceError('InvalidRange', 'The requested range is not satisfiable', {
    statusCode: 416,
    fields: { RangeRequested: header, ActualObjectSize: size },
    headers: { 'content-range': `bytes */${size}` },
  });
}
