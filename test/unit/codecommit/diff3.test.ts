import { describe, expect, it } from 'vitest';
import { diff3, matchLines, splitLines } from '../../../src/services/codecommit/diff3.js';

const chars = (s: string) => [...s];

describe('matchLines (Myers)', () => {
  it.each([
    ['abc', 'abc', 3],
    ['abc', 'axc', 2],
    ['', 'abc', 0],
    ['abc', '', 0],
    ['abcabba', 'cbabac', 4],
    ['ab', 'ba', 1],
    ['the quick brown fox', 'the quack brawn fix', 16],
  ])('%j vs %j keeps a longest common subsequence of %i', (a, b, length) => {
    const pairs = matchLines(chars(a), chars(b));
    expect(pairs).toHaveLength(length);
    for (const [i, j] of pairs) expect(a[i]).toBe(b[j]);
    for (let k = 1; k < pairs.length; k++) {
      expect(pairs[k][0]).toBeGreaterThan(pairs[k - 1][0]);
      expect(pairs[k][1]).toBeGreaterThan(pairs[k - 1][1]);
    }
  });
});

describe('diff3', () => {
  const changed = (base: string, source: string, dest: string) =>
    diff3(chars(base), chars(source), chars(dest))
      .filter((c) => c.changed)
      .map((c) => ({ conflict: c.isConflict, base: base.slice(c.base.start, c.base.end), source: source.slice(c.source.start, c.source.end), dest: dest.slice(c.destination.start, c.destination.end) }));

  it.each([
    ['one side changed: no conflict', 'abcde', 'aXcde', 'abcde', [{ conflict: false, base: 'b', source: 'X', dest: 'b' }]],
    ['both changed different regions', 'abcde', 'aXcde', 'abcdY', [{ conflict: false, base: 'b', source: 'X', dest: 'b' }, { conflict: false, base: 'e', source: 'e', dest: 'Y' }]],
    ['both changed the same region differently', 'abcde', 'aXcde', 'aYcde', [{ conflict: true, base: 'b', source: 'X', dest: 'Y' }]],
    ['both made the same change', 'abcde', 'aXcde', 'aXcde', [{ conflict: false, base: 'b', source: 'X', dest: 'X' }]],
    ['insertions at the same place', 'ac', 'abc', 'azc', [{ conflict: true, base: '', source: 'b', dest: 'z' }]],
    ['a deletion against an edit', 'abc', 'ac', 'aXc', [{ conflict: true, base: 'b', source: '', dest: 'X' }]],
    ['appends to an empty base', '', 'x', 'y', [{ conflict: true, base: '', source: 'x', dest: 'y' }]],
  ])('%s', (_name, base, source, dest, expected) => {
    expect(changed(base, source, dest)).toEqual(expected);
  });

  it('splits text into lines that keep their newlines', () => {
    expect(splitLines('a\nb\n')).toEqual(['a\n', 'b\n']);
    expect(splitLines('a\nb')).toEqual(['a\n', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});
