import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needsRepack } from '../../../src/services/codecommit/maintenance.js';
import { parseCgiHeaders } from '../../../src/services/codecommit/git-http.js';
import { checkRepositoryName, decodeOffset, encodeOffset, isValidRefName, normalizePath } from '../../../src/services/codecommit/validation.js';

describe('paths from the API never leave the repository', () => {
  it.each([
    ['src/app.js', 'src/app.js'],
    ['/src/app.js', 'src/app.js'],
    ['dir/', 'dir'],
    ['a b/c.txt', 'a b/c.txt'],
  ])('%j is %j', (input, expected) => expect(normalizePath(input)).toBe(expected));

  it.each(['../x', 'a/../../x', 'a/./b', 'a//b', '.git/config', 'sub/.GIT/hooks', 'a\\b', 'nul\0byte', '/'])('%j is refused', (input) => {
    expect(() => normalizePath(input)).toThrow(expect.objectContaining({ code: 'InvalidPathException' }));
  });

  it('allows the root only where a folder is expected', () => {
    expect(normalizePath('/', true)).toBe('');
    expect(normalizePath('', true)).toBe('');
    expect(() => normalizePath('')).toThrow(expect.objectContaining({ code: 'PathRequiredException' }));
  });
});

describe('reference and repository names', () => {
  it.each([
    ['main', true], ['feature/new-feature', true], ['release-1.0', true], ['a..b', false], ['-x', false], ['x.lock', false], ['x/.hidden', false],
    ['has space', false], ['tilde~1', false], ['caret^', false], ['colon:', false], ['end/', false], ['@', false], ['a@{b', false], ['', false],
  ])('%j is a valid ref name: %s', (name, valid) => expect(isValidRefName(name)).toBe(valid));

  it.each(['app.git', 'APP.GIT', '..', 'a/b'])('repository name %j is refused', (name) => {
    expect(() => checkRepositoryName(name)).toThrow(expect.objectContaining({ code: 'InvalidRepositoryNameException' }));
  });

  it('round-trips page tokens and refuses forged ones', () => {
    expect(decodeOffset(encodeOffset(42))).toBe(42);
    expect(() => decodeOffset('bm9wZQ')).toThrow(expect.objectContaining({ code: 'InvalidContinuationTokenException' }));
  });
});

describe('CGI headers from git http-backend', () => {
  it('reads the status and the headers', () => {
    expect(parseCgiHeaders('Status: 404 Not Found\r\nContent-Type: text/plain\r\nExpires: Fri, 01 Jan 1980 00:00:00 GMT')).toEqual({
      status: 404,
      headers: { 'Content-Type': 'text/plain', Expires: 'Fri, 01 Jan 1980 00:00:00 GMT' },
    });
    expect(parseCgiHeaders('Content-Type: application/x-git-upload-pack-advertisement').status).toBe(200);
  });
});

describe('repository maintenance', () => {
  it.each([
    ['no packs', [], false],
    ['one small pack', [['a.pack', 10]], false],
    ['one big pack without a bitmap', [['a.pack', 2 << 20]], true],
    ['one big pack with a bitmap', [['a.pack', 2 << 20], ['a.bitmap', 10]], false],
    ['two packs', [['a.pack', 10], ['b.pack', 10]], true],
  ] as const)('%s: repack %s', (_name, files, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'packs-'));
    for (const [name, size] of files) writeFileSync(join(dir, name), Buffer.alloc(size));
    expect(needsRepack(dir)).toBe(expected);
  });
});
