import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { artifactKey } from '../../../src/services/codebuild/artifacts.js';
import { agentTime, maskSecrets } from '../../../src/services/codebuild/build-log.js';
import { parseSecretReference } from '../../../src/services/codebuild/build-env.js';
import { globToRegExp, matchDirectories, selectFiles } from '../../../src/services/codebuild/file-globs.js';
import { eventTime } from '../../../src/services/codebuild/notify.js';
import { codeCommitSubdir, extractZip, parseCodeCommitLocation } from '../../../src/services/codebuild/sources.js';
import { parseCucumber, parseJUnit, summarize } from '../../../src/services/codebuild/test-reports.js';

describe('file patterns', () => {
  it.each([
    ['dist/**/*', 'dist/a.js', true],
    ['dist/**/*', 'dist/lib/deep/a.js', true],
    ['dist/**/*', 'distx/a.js', false],
    ['**/*', 'a', true],
    ['**/*', 'a/b/c', true],
    ['dir/*', 'dir/a', true],
    ['dir/*', 'dir/a/b', false],
    ['package.json', 'package.json', true],
    ['./package.json', 'package.json', true],
    ['*.js', 'a.js', true],
    ['*.js', 'lib/a.js', false],
    ['**/*.xml', 'reports/junit.xml', true],
    ['**/*.xml', 'junit.xml', true],
    ['file?.txt', 'file1.txt', true],
    ['[ab].txt', 'b.txt', true],
    ['[!ab].txt', 'b.txt', false],
  ])('%s matches %s: %s', (pattern, path, expected) => expect(globToRegExp(pattern).test(path)).toBe(expected));

  const root = mkdtempSync(join(tmpdir(), 'slipway-globs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const f of ['dist/a.js', 'dist/lib/b.js', 'build1/x.txt', 'build2/y.txt', 'package.json', 'dist/skip.tmp']) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), f);
  }

  it('selects files with excludes and discard-paths, and names the patterns that matched nothing', () => {
    const sel = selectFiles(root, ['dist/**/*', 'package.json', 'missing/*'], ['**/*.tmp'], true);
    expect(sel.files.map((f) => f.name).sort()).toEqual(['a.js', 'b.js', 'package.json']);
    expect(sel.unmatched).toEqual(['missing/*']);
  });

  it('expands a base-directory glob to each matching directory', () => {
    expect(matchDirectories(root, 'build*').map((d) => d.slice(root.length + 1))).toEqual(['build1', 'build2']);
    expect(matchDirectories(root, '.')).toEqual([root]);
    expect(matchDirectories(root, 'nope')).toEqual([]);
  });
});

describe('names and formats', () => {
  it.each([
    [{ type: 'S3' as const, location: 'b' }, 'proj', undefined, 'proj'],
    [{ type: 'S3' as const, location: 'b', path: 'p/q/', namespaceType: 'BUILD_ID' as const }, 'n.zip', undefined, 'p/q/UUID/n.zip'],
    [{ type: 'S3' as const, location: 'b', namespaceType: 'BUILD_ID' as const }, 'n', 'pre', 'pre/UUID/n'],
    [{ type: 'S3' as const, location: 'b', path: 'dir', namespaceType: 'NONE' as const }, 'file', undefined, 'dir/file'],
  ])('artifact key for %j named %s', (config, name, prefix, key) => expect(artifactKey(config, name, 'UUID', prefix)).toBe(key));

  it('formats agent and event times as AWS does', () => {
    expect(agentTime(Date.UTC(2024, 0, 1, 12, 0, 0, 123))).toBe('2024/01/01 12:00:00.123000');
    expect(eventTime(Date.UTC(2017, 8, 1, 16, 12, 29))).toBe('Sep 1, 2017 4:12:29 PM');
    expect(eventTime(Date.UTC(2017, 8, 1, 0, 5, 9))).toBe('Sep 1, 2017 12:05:09 AM');
  });

  it('masks secrets, longest first', () => {
    expect(maskSecrets('pw=abc123 short=abc', ['abc', 'abc123'])).toBe('pw=*** short=***');
    expect(maskSecrets('nothing', [''])).toBe('nothing');
  });

  it.each([
    ['prod/db', { secretId: 'prod/db' }],
    ['prod/db:password', { secretId: 'prod/db', jsonKey: 'password' }],
    ['prod/db:password:AWSPREVIOUS', { secretId: 'prod/db', jsonKey: 'password', stage: 'AWSPREVIOUS' }],
    ['prod/db:::v-1', { secretId: 'prod/db', versionId: 'v-1' }],
    ['arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf:user', { secretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf', jsonKey: 'user' }],
  ])('secret reference %s', (ref, expected) => expect(parseSecretReference(ref)).toEqual({ jsonKey: undefined, stage: undefined, versionId: undefined, ...expected }));

  it('maps CodeCommit locations of AWS and of Slipway to a repository', () => {
    expect(parseCodeCommitLocation('https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/my-repo')).toEqual({ name: 'my-repo', region: 'eu-west-1', accountId: undefined });
    expect(parseCodeCommitLocation('http://localhost:4566/v1/repos/my-repo')).toEqual({ name: 'my-repo', region: undefined, accountId: undefined });
    expect(parseCodeCommitLocation('http://localhost:4566/v1/repos/us-west-2/111122223333/r.git')).toEqual({ name: 'r', region: 'us-west-2', accountId: '111122223333' });
    expect(parseCodeCommitLocation('not a url')).toBeUndefined();
    expect(codeCommitSubdir('http://localhost:4566/v1/repos/my-repo', 'us-east-1')).toBe('git-codecommit.us-east-1.amazonaws.com/v1/repos/my-repo');
  });
});

describe('test report parsing', () => {
  it('reads JUnit XML with nested suites, failures, errors and skips', () => {
    const cases = parseJUnit(`<testsuites><testsuite name="outer"><testsuite name="inner"><testcase classname="a.B" name="ok" time="1.5"/><testcase classname="a.B" name="boom" time="0.1"><error message="NPE"/></testcase></testsuite><testcase classname="c" name="fails"><failure>assert</failure></testcase><testcase classname="c" name="later"><skipped/></testcase></testsuite></testsuites>`);
    expect(cases.map((c) => [c.testSuiteName, c.prefix, c.name, c.status, c.durationInNanoSeconds, c.message])).toEqual([
      ['outer', 'c', 'fails', 'FAILED', 0, 'assert'],
      ['outer', 'c', 'later', 'SKIPPED', 0, undefined],
      ['inner', 'a.B', 'ok', 'SUCCEEDED', 1_500_000_000, undefined],
      ['inner', 'a.B', 'boom', 'ERROR', 100_000_000, 'NPE'],
    ]);
    expect(summarize(cases)).toEqual({ total: 4, statusCounts: { FAILED: 1, SKIPPED: 1, SUCCEEDED: 1, ERROR: 1 }, durationInNanoSeconds: 1_600_000_000 });
    expect(() => parseJUnit('<html/>')).toThrow('no testsuites or testsuite element');
  });

  it('reads Cucumber JSON scenarios', () => {
    const cases = parseCucumber(JSON.stringify([{ name: 'Login', elements: [
      { name: 'good password', type: 'scenario', steps: [{ result: { status: 'passed', duration: 5 } }, { result: { status: 'passed', duration: 7 } }] },
      { name: 'bad password', type: 'scenario', steps: [{ result: { status: 'passed', duration: 1 } }, { result: { status: 'failed', duration: 2, error_message: 'expected 401' } }] },
      { name: 'pending', type: 'scenario', steps: [{ result: { status: 'skipped' } }] },
      { name: 'bg', type: 'background', steps: [] },
    ] }]));
    expect(cases.map((c) => [c.prefix, c.name, c.status, c.durationInNanoSeconds, c.message])).toEqual([
      ['Login', 'good password', 'SUCCEEDED', 12, undefined],
      ['Login', 'bad password', 'FAILED', 3, 'expected 401'],
      ['Login', 'pending', 'SKIPPED', 0, undefined],
    ]);
    expect(() => parseCucumber('{')).toThrow('invalid Cucumber JSON');
  });
});

describe('files read outside the sandbox stay inside the build', () => {
  const ws = mkdtempSync(join(tmpdir(), 'slipway-ws-'));
  const secret = mkdtempSync(join(tmpdir(), 'slipway-secret-'));
  afterAll(() => {
    rmSync(ws, { recursive: true, force: true });
    rmSync(secret, { recursive: true, force: true });
  });
  writeFileSync(join(secret, 'slipway.db'), 'private');
  mkdirSync(join(ws, 'src'), { recursive: true });
  writeFileSync(join(ws, 'src', 'ok.txt'), 'ok');
  symlinkSync(join(secret, 'slipway.db'), join(ws, 'src', 'leak.txt'));
  symlinkSync('ok.txt', join(ws, 'src', 'alias.txt'));
  symlinkSync(secret, join(ws, 'src', 'out'));

  it('does not follow links out of the workspace, nor base directories above it', () => {
    expect(selectFiles(join(ws, 'src'), ['*'], [], false, ws).files.map((f) => f.name).sort()).toEqual(['alias.txt', 'ok.txt']);
    expect(selectFiles(join(ws, 'src'), ['*'], [], false, ws, true).files.map((f) => f.name).sort()).toEqual(['alias.txt', 'leak.txt', 'ok.txt', 'out']);
    expect(matchDirectories(join(ws, 'src'), '../..')).toEqual([]);
    expect(matchDirectories(join(ws, 'src'), '/etc')).toEqual([]);
  });

  it('refuses zip entries that would be written through a link or above the directory', () => {
    expect(() => extractZip(zipSync({ 'out/new.txt': new TextEncoder().encode('x') }), join(ws, 'src'))).toThrow('outside the source directory');
    expect(() => extractZip(zipSync({ '../up.txt': new TextEncoder().encode('x') }), join(ws, 'src'))).toThrow('outside the source directory');
    expect(extractZip(zipSync({ 'sub/in.txt': new TextEncoder().encode('x') }), join(ws, 'src'))).toBe(1);
  });
});
