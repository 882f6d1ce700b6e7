import { describe, expect, it } from 'vitest';
import { buildFailure, environmentVariables } from '../../../src/services/codepipeline/provider-codebuild.js';
import { commitDate } from '../../../src/services/codepipeline/provider-codecommit.js';
import { enterStage, leaveStage } from '../../../src/services/codepipeline/stage-locks.js';
import type { ExecutionRecord, RuntimeRecord } from '../../../src/services/codepipeline/store.js';
import { globToRegExp, passes, pushMatches } from '../../../src/services/codepipeline/trigger-filters.js';
import { resolveConfiguration, resolveText } from '../../../src/services/codepipeline/variables.js';
import { artifactKey, safeEntryPath } from '../../../src/services/codepipeline/artifacts.js';
import { pollDelay, type ActionContext } from '../../../src/services/codepipeline/provider-types.js';

describe('variables', () => {
  const ns = { SourceVariables: { CommitId: 'abc123', BranchName: 'main' }, codepipeline: { PipelineExecutionId: 'e-1' }, variables: { env: 'prod' } };
  it.each([
    ['#{SourceVariables.CommitId}', 'abc123', []],
    ['deploy-#{variables.env}-#{codepipeline.PipelineExecutionId}', 'deploy-prod-e-1', []],
    ['#{Build.Version}', '#{Build.Version}', ['Build.Version']],
    ['no references', 'no references', []],
    ['#{SourceVariables.Nope} #{SourceVariables.BranchName}', '#{SourceVariables.Nope} main', ['SourceVariables.Nope']],
  ])('%s', (text, value, missing) => expect(resolveText(text, ns)).toEqual({ value, missing }));
  it('resolves a whole configuration', () => {
    expect(resolveConfiguration({ A: '#{variables.env}', B: 'x' }, ns)).toEqual({ resolved: { A: 'prod', B: 'x' }, missing: [] });
  });
});

describe('trigger globs (AWS examples)', () => {
  it.each([
    ['main', 'main', true],
    ['release/*', 'release/v1', true],
    ['release/*', 'release/v1/hotfix', false],
    ['release/**', 'release/v1/hotfix', true],
    ['src/**', 'src/app.js', true],
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'docs/guide.md', true],
    ['v?.0', 'v1.0', true],
    ['v?.0', 'v10.0', false],
    ['feature\\*', 'feature*', true],
    ['feature\\*', 'featureX', false],
  ])('%s matches %s: %s', (glob, value, ok) => expect(globToRegExp(glob).test(value)).toBe(ok));
  it('lets excludes win over includes', () => {
    expect(passes('src/a.md', { includes: ['src/**'], excludes: ['**/*.md'] })).toBe(false);
    expect(passes('anything', undefined)).toBe(true);
  });
  it('matches pushes by branch, tags and changed files', () => {
    const filter = { branches: { includes: ['main'] }, filePaths: { includes: ['src/**'] } };
    expect(pushMatches(filter, { type: 'branch', name: 'main', files: ['src/a.js'] })).toBe(true);
    expect(pushMatches(filter, { type: 'branch', name: 'main', files: ['README.md'] })).toBe(false);
    expect(pushMatches(filter, { type: 'branch', name: 'dev', files: ['src/a.js'] })).toBe(false);
    expect(pushMatches({ tags: { includes: ['v*'] } }, { type: 'tag', name: 'v1' })).toBe(true);
    expect(pushMatches({ tags: { includes: ['v*'] } }, { type: 'branch', name: 'main' })).toBe(false);
  });
});

describe('stage locks', () => {
  const exec = (id: string, seq: number, mode: ExecutionRecord['mode']) => ({ id, seq, mode }) as ExecutionRecord;
  const fresh = (): RuntimeRecord => ({ stages: {}, heads: {}, pollGeneration: 0 });
  it('SUPERSEDED keeps only the newest waiting execution', () => {
    const rt = fresh();
    const [a, b, c] = [exec('a', 1, 'SUPERSEDED'), exec('b', 2, 'SUPERSEDED'), exec('c', 3, 'SUPERSEDED')];
    const all = new Map([a, b, c].map((e) => [e.id, e]));
    const active = (id: string) => all.get(id);
    expect(enterStage(rt, 'S', a, false, active).entered).toBe(true);
    expect(enterStage(rt, 'S', b, false, active)).toMatchObject({ entered: false, superseded: [] });
    expect(enterStage(rt, 'S', c, false, active)).toMatchObject({ entered: false, superseded: ['b'] });
    all.delete('b');
    expect(leaveStage(rt, 'S', a)).toBe('c');
    expect(enterStage(rt, 'S', c, false, active).entered).toBe(true);
  });
  it('an older execution arriving after a newer one waits is the one superseded', () => {
    const rt = fresh();
    const [a, b, c] = [exec('a', 1, 'SUPERSEDED'), exec('b', 2, 'SUPERSEDED'), exec('c', 3, 'SUPERSEDED')];
    const all = new Map([a, b, c].map((e) => [e.id, e]));
    enterStage(rt, 'S', a, false, (id) => all.get(id));
    enterStage(rt, 'S', c, false, (id) => all.get(id));
    expect(enterStage(rt, 'S', b, false, (id) => all.get(id)).selfSuperseded).toBe(true);
  });
  it('QUEUED waits in order; PARALLEL never waits but for a disabled transition', () => {
    const rt = fresh();
    const q = [1, 2, 3].map((n) => exec(`q${n}`, n, 'QUEUED'));
    const all = new Map(q.map((e) => [e.id, e]));
    const active = (id: string) => all.get(id);
    expect(q.map((e) => enterStage(rt, 'S', e, false, active).entered)).toEqual([true, false, false]);
    expect(leaveStage(rt, 'S', q[0])).toBe('q2');
    expect(enterStage(rt, 'S', q[2], false, active).entered).toBe(false);
    expect(enterStage(rt, 'S', q[1], false, active).entered).toBe(true);
    const p = exec('p', 9, 'PARALLEL');
    expect(enterStage(rt, 'S', p, false, () => p).entered).toBe(true);
    expect(enterStage(rt, 'T', p, true, () => p).entered).toBe(false);
  });
});

describe('provider helpers', () => {
  it('reads CodeCommit dates and CodeBuild environment variables', () => {
    expect(commitDate('1700000000 +0100')).toBe('2023-11-14T22:13:20.000Z');
    expect(environmentVariables('[{"name":"STAGE","value":"prod"}]')).toEqual([{ name: 'STAGE', value: 'prod', type: 'PLAINTEXT' }]);
    expect(environmentVariables('{"name":1}')).toMatch(/JSON array/);
  });
  it('looks at running builds often at first, then every 5% of their running time, at most every second', () => {
    const at = (elapsed: number) => pollDelay({ deps: { clock: { now: () => 1_000_000 + elapsed } }, run: { startTime: 1_000_000 } } as unknown as ActionContext);
    expect([0, 1000, 4000, 60_000, 3_600_000].map(at)).toEqual([20, 50, 200, 1000, 1000]);
  });
  it('describes a failed build by its failing phase', () => {
    const text = buildFailure({ buildStatus: 'FAILED', phases: [{ phaseType: 'INSTALL', phaseStatus: 'SUCCEEDED' }, { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: npm test. Reason: exit status 1' }] }] });
    expect(text).toBe('Build terminated with state: FAILED. Phase: BUILD. Code: COMMAND_EXECUTION_ERROR. Message: Error while executing command: npm test. Reason: exit status 1');
  });
  it('makes AWS-shaped artifact keys and keeps zip entries inside their root', () => {
    expect(artifactKey('a-very-long-pipeline-name-indeed', 'SourceArtifact')).toMatch(/^a-very-long-pipeline\/SourceArti\/[A-Za-z0-9]{7}$/);
    expect(safeEntryPath('./dist/app.js')).toBe('dist/app.js');
    expect(safeEntryPath('../../etc/passwd')).toBeUndefined();
    expect(safeEntryPath('/')).toBeUndefined();
  });
});
