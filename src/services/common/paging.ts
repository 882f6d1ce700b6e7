import { ServiceError } from '../../core/errors.js';

export interface Page<T> {
  items: T[];
  /** The token for the next page, absent on the last one. */
  next?: string;
}

/**
 * One page of `items` (already in key order). Tokens carry the last key returned, so
 * pages stay correct when items are added or removed between calls.
 */
export function paginate<T>(
  items: T[],
  keyOf: (item: T) => string,
  token: string | undefined,
  max: number,
  invalidToken: (token: string) => ServiceError = (t) => new ServiceError('InvalidNextToken', `The pagination token '${t}' is not valid.`, { statusCode: 400 }),
): Page<T> {
  let start = 0;
  if (token) {
    let after: string;
    try {
      after = Buffer.from(token, 'base64url').toString('utf8');
      if (Buffer.from(after, 'utf8').toString('base64url') !== token) throw new Error('not canonical');
    } catch {
      throw invalidToken(token);
    }
    start = items.findIndex((i) => keyOf(i) > after);
    if (start < 0) start = items.length;
  }
  const pageItems = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: pageItems, next: more ? Buffer.from(keyOf(pageItems[pageItems.length - 1]), 'utf8').toString('base64url') : undefined };
}
