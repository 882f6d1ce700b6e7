/** What JSON.stringify escapes in a string (lone surrogates too: it writes them as \u escapes). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON text, exactly as JSON.stringify writes it. Most log text needs no
 * escaping, and a regex test is cheaper than JSON.stringify for it.
 */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}
