import {
  BatchGetReportsCommand, CodeBuildClient, CreateProjectCommand, DescribeTestCasesCommand, GetReportGroupTrendCommand, InvalidateProjectCacheCommand, ListReportGroupsCommand,
  ListReportsForReportGroupCommand, StartBuildCommand, type StartBuildCommandInput,
} from '@aws-sdk/client-codebuild';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { buildLog, getZip, inlineProject, phase, waitForBuild } from './support.js';

const ENV = { type: 'LINUX_CONTAINER' as const, image: 'aws/codebuild/standard:5.0', computeType: 'BUILD_GENERAL1_SMALL' as const };
const ROLE = 'arn:aws:iam::000000000000:role/CodeBuildRole';
const text = (s: string) => new TextEncoder().encode(s);

describe('build outputs: artifacts, caches, test reports, events and metrics; S3, secondary and CodePipeline sources', () => {
  let sw: TestSlipway;
  let cb: CodeBuildClient;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueUrl: string;

  const run = async (input: StartBuildCommandInput) => {
    const started = await cb.send(new StartBuildCommand(input));
    const b = await waitForBuild(cb, started.build!.id!);
    return { b, log: await buildLog(sw.url, sdkConfig(sw.url), b) };
  };

  beforeAll(async () => {
    sw = await startSlipway();
    const config = sdkConfig(sw.url);
    cb = new CodeBuildClient(config);
    s3 = new S3Client(config);
    sqs = new SQSClient(config);
    for (const Bucket of ['out', 'src', 'cache']) await s3.send(new CreateBucketCommand({ Bucket }));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'build-events' }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const eb = new EventBridgeClient(config);
    await eb.send(new PutRuleCommand({ Name: 'codebuild', EventPattern: JSON.stringify({ source: ['aws.codebuild'], detail: { 'project-name': ['artifacts'] } }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'codebuild', Targets: [{ Id: 'q', Arn: arn }] }));
  });
  afterAll(() => sw.close());

  it('zips the primary artifact under BUILD_ID with the evaluated buildspec name, and the secondary one at its path; sends state and phase events', async () => {
    await cb.send(new CreateProjectCommand(inlineProject('artifacts', {
      artifacts: { type: 'S3', location: 'out', path: 'builds', namespaceType: 'BUILD_ID', packaging: 'ZIP', overrideArtifactName: true },
      secondaryArtifacts: [{ type: 'S3', location: 'out', path: 'reports', name: 'extra.zip', packaging: 'ZIP', artifactIdentifier: 'extra' }],
      environment: ENV,
    })));
    const spec = [
      'version: 0.2',
      'phases:',
      '  build:',
      '    commands:',
      '      - mkdir -p out/a/deep out/b logs && echo A > out/a/deep/one.txt && echo B > out/b/two.txt && echo skip > out/a/skip.tmp && echo L > logs/x.log',
      'artifacts:',
      '  files:',
      '    - "**/*"',
      '  base-directory: out',
      '  exclude-paths:',
      '    - "**/*.tmp"',
      '  name: app-$CODEBUILD_BUILD_NUMBER.zip',
      '  secondary-artifacts:',
      '    extra:',
      '      files:',
      '        - logs/*.log',
      '        - out/b/two.txt',
      '      discard-paths: yes',
    ].join('\n');
    const { b } = await run({ projectName: 'artifacts', buildspecOverride: spec });
    expect(b.buildStatus).toBe('SUCCEEDED');
    const uuid = b.id!.split(':')[1];
    expect(b.artifacts!.location).toBe(`arn:aws:s3:::out/builds/${uuid}/app-1.zip`);
    expect(await getZip(s3, 'out', `builds/${uuid}/app-1.zip`)).toEqual({ 'a/deep/one.txt': 'A\n', 'b/two.txt': 'B\n' });
    expect(b.secondaryArtifacts).toEqual([expect.objectContaining({ artifactIdentifier: 'extra', location: 'arn:aws:s3:::out/reports/extra.zip' })]);
    expect(await getZip(s3, 'out', 'reports/extra.zip')).toEqual({ 'x.log': 'L\n', 'two.txt': 'B\n' });

    await sw.slipway.settled();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const more = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const events = [...(got.Messages ?? []), ...(more.Messages ?? [])].map((m) => JSON.parse(m.Body!) as { 'detail-type': string; detail: Record<string, unknown>; resources: string[] });
    const states = events.filter((e) => e['detail-type'] === 'CodeBuild Build State Change').map((e) => e.detail['build-status']);
    expect(states.sort()).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
    const phases = events.filter((e) => e['detail-type'] === 'CodeBuild Build Phase Change').map((e) => e.detail);
    expect(phases.map((d) => d['completed-phase'])).toEqual(expect.arrayContaining(['DOWNLOAD_SOURCE', 'BUILD', 'UPLOAD_ARTIFACTS']));
    expect(phases.find((d) => d['completed-phase'] === 'BUILD')).toMatchObject({ 'completed-phase-status': 'SUCCEEDED', 'project-name': 'artifacts', 'build-id': b.arn, 'completed-phase-context': '[: ]', version: '1' });
    expect(events[0].resources).toEqual([b.arn]);

    const metrics = await new CloudWatchClient(sdkConfig(sw.url)).send(new ListMetricsCommand({ Namespace: 'AWS/CodeBuild', Dimensions: [{ Name: 'ProjectName', Value: 'artifacts' }] }));
    expect(metrics.Metrics!.map((m) => m.MetricName).sort()).toEqual(expect.arrayContaining(['Builds', 'Duration', 'FailedBuilds', 'SucceededBuilds']));
  });

  it('restores what the first build cached, for LOCAL and for S3 caches with keys and fallback keys', async () => {
    const spec = (key: string) => [
      'version: 0.2',
      'phases:',
      '  build:',
      '    commands:',
      '      - if [ -f node_modules/dep/index.js ]; then echo "restored $(cat node_modules/dep/index.js)"; else echo fresh; fi',
      '      - mkdir -p node_modules/dep && echo "v$CODEBUILD_BUILD_NUMBER" > node_modules/dep/index.js',
      'cache:',
      ...(key ? [`  key: ${key}`, '  fallback-keys:', '    - npm-'] : []),
      '  paths:',
      '    - node_modules/**/*',
    ].join('\n');
    const base = { source: { type: 'NO_SOURCE' as const, buildspec: spec('') }, artifacts: { type: 'NO_ARTIFACTS' as const }, environment: ENV, serviceRole: ROLE };
    await cb.send(new CreateProjectCommand({ name: 'local-cache', ...base, cache: { type: 'LOCAL', modes: ['LOCAL_CUSTOM_CACHE'] } }));
    expect((await run({ projectName: 'local-cache' })).log).toContain('fresh');
    expect((await run({ projectName: 'local-cache' })).log).toContain('restored v1');

    await cb.send(new CreateProjectCommand({ name: 's3-cache', ...base, cache: { type: 'S3', location: 'cache/ci' } }));
    const first = await run({ projectName: 's3-cache', buildspecOverride: spec('npm-a') });
    expect(first.log).toContain('fresh');
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'cache', Prefix: 'ci/' }))).Contents!.map((o) => o.Key);
    expect(keys).toEqual([`ci/${Buffer.from('npm-a').toString('hex')}`]);
    // Another key misses exactly and falls back to the newest entry starting with npm-.
    expect((await run({ projectName: 's3-cache', buildspecOverride: spec('npm-$(echo b)') })).log).toContain('restored v1');
    expect((await run({ projectName: 's3-cache', buildspecOverride: spec('npm-b') })).log).toContain('restored v2');

    // InvalidateProjectCache empties both kinds: the next builds start fresh.
    await cb.send(new InvalidateProjectCacheCommand({ projectName: 'local-cache' }));
    await cb.send(new InvalidateProjectCacheCommand({ projectName: 's3-cache' }));
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'cache', Prefix: 'ci/' }))).Contents ?? []).toEqual([]);
    expect((await run({ projectName: 'local-cache' })).log).toContain('fresh');
    expect((await run({ projectName: 's3-cache', buildspecOverride: spec('npm-b') })).log).toContain('fresh');
  });

  it('turns a JUnit XML file into a report with test cases, a summary and a trend', async () => {
    const junit = '<?xml version="1.0"?><testsuites><testsuite name="math" tests="3"><testcase classname="math.add" name="adds" time="0.5"/><testcase classname="math.sub" name="subtracts" time="0.25"><failure message="expected 1">stack</failure></testcase><testcase classname="math.mul" name="multiplies"><skipped/></testcase></testsuite></testsuites>';
    await cb.send(new CreateProjectCommand(inlineProject('tests', { environment: ENV })));
    const { b } = await run({
      projectName: 'tests',
      buildspecOverride: `version: 0.2\nphases:\n  build:\n    commands:\n      - mkdir -p reports && printf '%s' '${junit}' > reports/junit.xml\nreports:\n  unit:\n    files:\n      - '**/*.xml'\n    base-directory: reports\n`,
    });
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(b.reportArns).toHaveLength(1);
    const groups = await cb.send(new ListReportGroupsCommand({}));
    expect(groups.reportGroups).toEqual(['arn:aws:codebuild:us-east-1:000000000000:report-group/tests-unit']);
    const report = (await cb.send(new BatchGetReportsCommand({ reportArns: b.reportArns! }))).reports![0];
    expect(report).toMatchObject({ status: 'FAILED', type: 'TEST', executionId: b.arn, reportGroupArn: groups.reportGroups![0] });
    expect(report.testSummary).toEqual({ total: 3, statusCounts: { SUCCEEDED: 1, FAILED: 1, SKIPPED: 1 }, durationInNanoSeconds: 750_000_000 });
    const failed = await cb.send(new DescribeTestCasesCommand({ reportArn: report.arn!, filter: { status: 'FAILED' } }));
    expect(failed.testCases).toEqual([expect.objectContaining({ prefix: 'math.sub', name: 'subtracts', status: 'FAILED', message: 'expected 1\nstack', testSuiteName: 'math', durationInNanoSeconds: 250_000_000 })]);
    expect((await cb.send(new ListReportsForReportGroupCommand({ reportGroupArn: groups.reportGroups![0] }))).reports).toEqual(b.reportArns);
    const trend = await cb.send(new GetReportGroupTrendCommand({ reportGroupArn: groups.reportGroups![0], trendField: 'PASS_RATE' }));
    expect(trend.stats).toEqual({ average: '33.33', max: '33.33', min: '33.33' });
  });

  it('builds from an S3 zip, with secondary sources in CODEBUILD_SRC_DIR_<id>', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'app.zip', Body: zipSync({ 'buildspec.yml': text('version: 0.2\nphases:\n  build:\n    commands:\n      - cat hello.txt\n      - cat $CODEBUILD_SRC_DIR_lib/lib.txt\n'), 'hello.txt': text('hello from s3') }) }));
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'lib.zip', Body: zipSync({ 'lib.txt': text('from the secondary source') }) }));
    await cb.send(new CreateProjectCommand({
      name: 's3-source', source: { type: 'S3', location: 'src/app.zip' }, secondarySources: [{ type: 'S3', location: 'src/lib.zip', sourceIdentifier: 'lib' }],
      artifacts: { type: 'NO_ARTIFACTS' }, environment: ENV, serviceRole: ROLE,
    }));
    const { b, log } = await run({ projectName: 's3-source' });
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(log).toContain('hello from s3');
    expect(log).toContain('from the secondary source');
    const missing = await run({ projectName: 's3-source', sourceLocationOverride: 'src/nope.zip' });
    expect(phase(missing.b, 'DOWNLOAD_SOURCE')!.contexts![0].statusCode).toBe('CLIENT_ERROR');
  });

  it("honours CodePipeline's contract: CODEPIPELINE projects run only with S3 overrides, and the output zip lands at exactly <dir>/<file>", async () => {
    await cb.send(new CreateProjectCommand({ name: 'pipeline-build', source: { type: 'CODEPIPELINE', buildspec: 'version: 0.2\nenv:\n  exported-variables:\n    - TAG\nphases:\n  build:\n    commands:\n      - TAG=t-$(cat hello.txt | wc -c)\n      - cat $CODEBUILD_SRC_DIR_Extra/lib.txt > out.txt\nartifacts:\n  files:\n    - out.txt\n  secondary-artifacts:\n    Second:\n      files:\n        - hello.txt\n' }, artifacts: { type: 'CODEPIPELINE' }, environment: ENV, serviceRole: ROLE }));
    await expect(cb.send(new StartBuildCommand({ projectName: 'pipeline-build' }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    const { b } = await run({
      projectName: 'pipeline-build',
      sourceTypeOverride: 'S3', sourceLocationOverride: 'src/app.zip',
      secondarySourcesOverride: [{ type: 'S3', location: 'src/lib.zip', sourceIdentifier: 'Extra' }],
      artifactsOverride: { type: 'S3', location: 'out', path: 'pipeline/BuildOutput', name: 'abc123', packaging: 'ZIP', namespaceType: 'NONE' },
      secondaryArtifactsOverride: [{ type: 'S3', location: 'out', path: 'pipeline/Second', name: 'def456', packaging: 'ZIP', namespaceType: 'NONE', artifactIdentifier: 'Second' }],
      environmentVariablesOverride: [{ name: 'FROM_PIPELINE', value: '1' }],
    });
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(await getZip(s3, 'out', 'pipeline/BuildOutput/abc123')).toEqual({ 'out.txt': 'from the secondary source' });
    expect(await getZip(s3, 'out', 'pipeline/Second/def456')).toEqual({ 'hello.txt': 'hello from s3' });
    expect(b.exportedEnvironmentVariables).toEqual([{ name: 'TAG', value: 't-13' }]);
  });
});
