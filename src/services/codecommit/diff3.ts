/**
 * Line-level three-way comparison (diff3) for describing merge conflicts: which regions of
 * a file the source and destination changed relative to their merge base, and which of
 * those regions collide. Pure functions, no git.
 */

/** Pairs of equal lines [i in a, j in b], in order, from a Myers shortest-edit diff. */
export function matchLines(a: string[], b: string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  trace.push(v.slice());
  return backtrack(trace, a, b, offset);
}

function backtrack(trace: Int32Array[], a: string[], b: string[], offset: number): [number, number][] {
  const pairs: [number, number][] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 2; d >= 0 && (x > 0 || y > 0); d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : v[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push([x, y]);
    }
    if (d > 0) {
      x = prevX;
      y = prevY;
    }
  }
  return pairs.reverse();
}

/** A line range [start, end) in one version. */
export interface Range {
  start: number;
  end: number;
}

export interface Chunk {
  /** false for a region both sides left as in the base. */
  changed: boolean;
  isConflict: boolean;
  base: Range;
  source: Range;
  destination: Range;
}

/** Splits three versions into stable regions and changed regions, marking collisions. */
export function diff3(base: string[], source: string[], destination: string[]): Chunk[] {
  const toSource = new Map(matchLines(base, source));
  const toDest = new Map(matchLines(base, destination));
  const chunks: Chunk[] = [];
  let b = 0;
  let s = 0;
  let d = 0;
  const flush = (bEnd: number, sEnd: number, dEnd: number) => {
    if (bEnd === b && sEnd === s && dEnd === d) return;
    const sameSource = equalRange(base, b, bEnd, source, s, sEnd);
    const sameDest = equalRange(base, b, bEnd, destination, d, dEnd);
    const bothSame = equalRange(source, s, sEnd, destination, d, dEnd);
    chunks.push({ changed: true, isConflict: !sameSource && !sameDest && !bothSame, base: { start: b, end: bEnd }, source: { start: s, end: sEnd }, destination: { start: d, end: dEnd } });
  };
  for (let i = 0; i < base.length; i++) {
    const si = toSource.get(i);
    const di = toDest.get(i);
    if (si === undefined || di === undefined || si < s || di < d) continue;
    flush(i, si, di);
    const last = chunks[chunks.length - 1];
    if (last && !last.changed && last.base.end === i) {
      last.base.end++;
      last.source.end++;
      last.destination.end++;
    } else chunks.push({ changed: false, isConflict: false, base: { start: i, end: i + 1 }, source: { start: si, end: si + 1 }, destination: { start: di, end: di + 1 } });
    b = i + 1;
    s = si + 1;
    d = di + 1;
  }
  flush(base.length, source.length, destination.length);
  return chunks;
}

function equalRange(x: string[], xs: number, xe: number, y: string[], ys: number, ye: number): boolean {
  if (xe - xs !== ye - ys) return false;
  for (let i = 0; i < xe - xs; i++) if (x[xs + i] !== y[ys + i]) return false;
  return true;
}

/** Splits text into lines, each keeping its newline. */
export function splitLines(text: string): string[] {
  if (!text) return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}
