import { ServiceError } from '../../core/errors.js';

/**
 * DynamoDB numbers: decimal strings of up to 38 significant digits, magnitudes from 1E-130
 * to below 1E+126, compared and added exactly. A number is kept as 0.digits × 10^exp.
 */
export interface Decimal {
  neg: boolean;
  /** Significant digits without leading or trailing zeros; empty for zero. */
  digits: string;
  exp: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function validation(message: string): ServiceError {
  return new ServiceError('ValidationException', message, { statusCode: 400 });
}

export function parseDecimal(text: string): Decimal {
  const m = NUMBER.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '') || (m[4] !== undefined && m[4].length > 6)) {
    throw validation('A value provided cannot be converted into a number');
  }
  const whole = m[2];
  const frac = m[3] ?? '';
  const all = (whole + frac).replace(/^0+/, '');
  const lead = (whole + frac).length - all.length;
  const digits = all.replace(/0+$/, '');
  if (digits === '') return { neg: false, digits: '', exp: 0 };
  const exp = whole.length - lead + Number(m[4] ?? 0);
  return checkRange({ neg: m[1] === '-', digits, exp });
}

function checkRange(d: Decimal): Decimal {
  if (d.digits.length > 38) throw validation('Attempting to store more than 38 significant digits in a Number');
  if (d.exp > 126) throw validation('Number overflow. Attempting to store a number with magnitude larger than supported range');
  if (d.exp < -129) throw validation('Number underflow. Attempting to store a number with magnitude smaller than supported range');
  return d;
}

/** The canonical text DynamoDB answers with: plain notation, no needless zeros. */
export function formatDecimal(d: Decimal): string {
  if (d.digits === '') return '0';
  const n = d.digits.length;
  let body: string;
  if (d.exp >= n) body = d.digits + '0'.repeat(d.exp - n);
  else if (d.exp <= 0) body = `0.${'0'.repeat(-d.exp)}${d.digits}`;
  else body = `${d.digits.slice(0, d.exp)}.${d.digits.slice(d.exp)}`;
  return d.neg ? `-${body}` : body;
}

export function canonicalNumber(text: string): string {
  return formatDecimal(parseDecimal(text));
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const sa = a.digits === '' ? 0 : a.neg ? -1 : 1;
  const sb = b.digits === '' ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const mag = a.exp !== b.exp ? (a.exp < b.exp ? -1 : 1) : a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
  return sa * mag;
}

export function compareNumbers(a: string, b: string): number {
  return compareDecimal(parseDecimal(a), parseDecimal(b));
}

/** value = mantissa × 10^scale */
function scaled(d: Decimal): { m: bigint; scale: number } {
  if (d.digits === '') return { m: 0n, scale: 0 };
  const m = BigInt(d.digits);
  return { m: d.neg ? -m : m, scale: d.exp - d.digits.length };
}

export function addNumbers(a: string, b: string, subtract = false): string {
  const x = scaled(parseDecimal(a));
  const y = scaled(parseDecimal(b));
  const scale = Math.min(x.scale, y.scale);
  const xm = x.m * 10n ** BigInt(x.scale - scale);
  let ym = y.m * 10n ** BigInt(y.scale - scale);
  if (subtract) ym = -ym;
  const sum = xm + ym;
  if (sum === 0n) return '0';
  const neg = sum < 0n;
  const raw = (neg ? -sum : sum).toString();
  const digits = raw.replace(/0+$/, '');
  return formatDecimal(checkRange({ neg, digits, exp: raw.length + scale }));
}

/**
 * An encoding whose byte order is numeric order, so sort keys of type N range-scan in
 * SQLite: sign class, then the exponent, then the digits (inverted for negatives).
 */
export function encodeNumberKey(text: string): Buffer {
  const d = parseDecimal(text);
  if (d.digits === '') return Buffer.from([0x80]);
  const out = Buffer.alloc(3 + d.digits.length + (d.neg ? 1 : 0));
  const e = d.exp + 0x8000;
  out[0] = d.neg ? 0x40 : 0xc0;
  out.writeUInt16BE(d.neg ? 0xffff - e : e, 1);
  for (let i = 0; i < d.digits.length; i++) {
    const c = d.digits.charCodeAt(i);
    out[3 + i] = d.neg ? 0xff - c : c;
  }
  if (d.neg) out[out.length - 1] = 0xff;
  return out;
}

/** DynamoDB's size of a number: about one byte per two significant digits, plus one. */
export function numberSize(text: string): number {
  const d = parseDecimal(text);
  return Math.ceil(Math.max(d.digits.length, 1) / 2) + 1;
}
