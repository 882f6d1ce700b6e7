/** IPv4 and IPv6 addresses as big integers, for `cidr` matching. */
export interface IpRange {
  version: 4 | 6;
  low: bigint;
  high: bigint;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  let groups: string[];
  if (text.includes('::')) {
    const [head, tail] = text.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const v4Tail = t.length && t[t.length - 1].includes('.') ? 2 : 1;
    const missing = 8 - h.length - (t.length - 1 + v4Tail);
    if (missing < 1) return undefined;
    groups = [...h, ...Array<string>(missing).fill('0'), ...t];
  } else {
    groups = text.split(':');
  }
  let n = 0n;
  let count = 0;
  for (const [i, g] of groups.entries()) {
    if (i === groups.length - 1 && g.includes('.')) {
      const v4 = parseV4(g);
      if (v4 === undefined) return undefined;
      n = (n << 32n) | v4;
      count += 2;
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
    count++;
  }
  return count === 8 ? n : undefined;
}

/** An address as a single-address range, or undefined when the text is no IP address. */
export function parseIp(text: string): IpRange | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { version: 4, low: v4, high: v4 };
  const v6 = text.includes(':') ? parseV6(text) : undefined;
  return v6 === undefined ? undefined : { version: 6, low: v6, high: v6 };
}

/** A CIDR block (`10.0.0.0/24`, `2001:db8::/32`), or undefined when it makes no sense. */
export function parseCidr(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!base || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const width = base.version === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (bits > width) return undefined;
  const hostBits = BigInt(width - bits);
  const mask = (1n << hostBits) - 1n;
  return { version: base.version, low: base.low & ~mask, high: (base.low & ~mask) | mask };
}

export function inRange(range: IpRange, address: string): boolean {
  const ip = parseIp(address);
  return ip !== undefined && ip.version === range.version && ip.low >= range.low && ip.low <= range.high;
}
