import {
  BatchGetReportGroupsCommand, BatchGetReportsCommand, CodeBuildClient, CreateProjectCommand, DescribeCodeCoveragesCommand, DescribeTestCasesCommand, GetReportGroupTrendCommand, StartBuildCommand,
} from '@aws-sdk/client-codebuild';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { buildLog, inlineProject, waitForBuild } from './support.js';

const ENV = { type: 'LINUX_CONTAINER' as const, image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' as const };
const ROLE = 'arn:aws:iam::000000000000:role/CodeBuildRole';

const COBERTURA = [
  '<?xml version="1.0" ?><coverage line-rate="0.5" branch-rate="0.5" version="7.4"><packages><package name="app"><classes>',
  '<class name="calc.py" filename="app/calc.py"><lines><line number="1" hits="1"/><line number="2" hits="3" branch="true" condition-coverage="50% (1/2)"/><line number="3" hits="0"/></lines></class>',
  '<class name="util.py" filename="app/util.py"><lines><line number="1" hits="0"/><line number="2" hits="0"/><line number="3" hits="0"/></lines></class>',
  '<class name="main.py" filename="app/main.py"><lines><line number="1" hits="2"/><line number="2" hits="2"/></lines></class>',
  '</classes></package></packages></coverage>',
].join('');

describe('CodeBuild code coverage reports and S3 build logs', () => {
  let sw: TestSlipway;
  let cb: CodeBuildClient;

  beforeAll(async () => {
    sw = await startSlipway();
    cb = new CodeBuildClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('turns a Cobertura file into a CODE_COVERAGE report with a summary and per-file coverage', async () => {
    await cb.send(new CreateProjectCommand(inlineProject('cov', { environment: ENV })));
    const buildspec = `version: 0.2\nphases:\n  build:\n    commands:\n      - printf '%s' '${COBERTURA}' > coverage.xml\nreports:\n  coverage:\n    files:\n      - coverage.xml\n    file-format: COBERTURAXML\n`;
    const started = await cb.send(new StartBuildCommand({ projectName: 'cov', buildspecOverride: buildspec }));
    const b = await waitForBuild(cb, started.build!.id!);
    expect(b.buildStatus).toBe('SUCCEEDED');
    expect(b.reportArns).toHaveLength(1);

    const report = (await cb.send(new BatchGetReportsCommand({ reportArns: b.reportArns! }))).reports![0];
    expect(report).toMatchObject({ type: 'CODE_COVERAGE', status: 'SUCCEEDED', executionId: b.arn, reportGroupArn: 'arn:aws:codebuild:us-east-1:000000000000:report-group/cov-coverage' });
    expect(report.codeCoverageSummary).toEqual({ lineCoveragePercentage: 50, linesCovered: 4, linesMissed: 4, branchCoveragePercentage: 50, branchesCovered: 1, branchesMissed: 1 });
    const group = (await cb.send(new BatchGetReportGroupsCommand({ reportGroupArns: [report.reportGroupArn!] }))).reportGroups![0];
    expect(group.type).toBe('CODE_COVERAGE');

    const all = await cb.send(new DescribeCodeCoveragesCommand({ reportArn: report.arn! }));
    expect(all.codeCoverages!.map((c) => [c.filePath, c.lineCoveragePercentage, c.linesCovered, c.linesMissed, c.branchesCovered, c.branchesMissed])).toEqual([
      ['app/util.py', 0, 0, 3, 0, 0],
      ['app/calc.py', 66.67, 2, 1, 1, 1],
      ['app/main.py', 100, 2, 0, 0, 0],
    ]);
    expect(all.codeCoverages![0]).toMatchObject({ reportARN: report.arn, id: expect.any(String) });
    const filtered = await cb.send(new DescribeCodeCoveragesCommand({ reportArn: report.arn!, minLineCoveragePercentage: 50, maxLineCoveragePercentage: 99, sortBy: 'FILE_PATH' }));
    expect(filtered.codeCoverages!.map((c) => c.filePath)).toEqual(['app/calc.py']);
    const page1 = await cb.send(new DescribeCodeCoveragesCommand({ reportArn: report.arn!, sortBy: 'FILE_PATH', sortOrder: 'DESCENDING', maxResults: 2 }));
    expect(page1.codeCoverages!.map((c) => c.filePath)).toEqual(['app/util.py', 'app/main.py']);
    const page2 = await cb.send(new DescribeCodeCoveragesCommand({ reportArn: report.arn!, sortBy: 'FILE_PATH', sortOrder: 'DESCENDING', maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.codeCoverages!.map((c) => c.filePath)).toEqual(['app/calc.py']);
    expect(page2.nextToken).toBeUndefined();

    // The aws CLI, as a user would ask for the least covered files.
    const cli = await awsCli(sw.env)('codebuild', 'describe-code-coverages', '--report-arn', report.arn!, '--max-line-coverage-percentage', '70');
    expect(cli.json<{ codeCoverages: { filePath: string }[] }>().codeCoverages.map((c) => c.filePath)).toEqual(['app/util.py', 'app/calc.py']);

    expect((await cb.send(new DescribeTestCasesCommand({ reportArn: report.arn! }))).testCases).toEqual([]);
    const trend = await cb.send(new GetReportGroupTrendCommand({ reportGroupArn: group.arn!, trendField: 'LINE_COVERAGE' }));
    expect(trend.stats).toEqual({ average: '50', max: '50', min: '50' });
    await expect(cb.send(new DescribeCodeCoveragesCommand({ reportArn: `${report.arn!}x` }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('marks a coverage report FAILED when its file does not parse, naming the file in the log', async () => {
    const buildspec = `version: 0.2\nphases:\n  build:\n    commands:\n      - echo '<testsuites/>' > jacoco.xml\nreports:\n  jacoco:\n    files:\n      - jacoco.xml\n    file-format: JACOCOXML\n`;
    const started = await cb.send(new StartBuildCommand({ projectName: 'cov', buildspecOverride: buildspec }));
    const b = await waitForBuild(cb, started.build!.id!);
    expect(b.buildStatus).toBe('SUCCEEDED');
    const report = (await cb.send(new BatchGetReportsCommand({ reportArns: b.reportArns! }))).reports![0];
    expect(report).toMatchObject({ type: 'CODE_COVERAGE', status: 'FAILED' });
    expect((await buildLog(sw.url, sdkConfig(sw.url), b)).some((l) => /Error parsing report file \S*jacoco\.xml: invalid JaCoCo XML: no report element$/.test(l))).toBe(true);
  });

  it('writes the build log to S3, gzipped, as <location>/<build-uuid>.gz, and links it from the build', async () => {
    const s3 = new S3Client(sdkConfig(sw.url));
    await s3.send(new CreateBucketCommand({ Bucket: 'build-logs' }));
    const source = { type: 'NO_SOURCE' as const, buildspec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "hello from the build"\n      - printf "no newline at the end"\n' };
    await expect(cb.send(new CreateProjectCommand({ name: 'bad-logs', source, artifacts: { type: 'NO_ARTIFACTS' }, environment: ENV, serviceRole: ROLE, logsConfig: { s3Logs: { status: 'ENABLED' } } })))
      .rejects.toMatchObject({ name: 'InvalidInputException' });
    await cb.send(new CreateProjectCommand({
      name: 's3-logs', source, artifacts: { type: 'NO_ARTIFACTS' }, environment: ENV, serviceRole: ROLE,
      logsConfig: { s3Logs: { status: 'ENABLED', location: 'build-logs/codebuild/s3-logs', encryptionDisabled: true } },
    }));
    const started = await cb.send(new StartBuildCommand({ projectName: 's3-logs' }));
    const b = await waitForBuild(cb, started.build!.id!);
    expect(b.buildStatus).toBe('SUCCEEDED');
    const uuid = b.id!.split(':')[1];
    const key = `codebuild/s3-logs/${uuid}.gz`;
    expect(b.logs).toMatchObject({
      s3LogsArn: `arn:aws:s3:::build-logs/${key}`,
      s3DeepLink: `https://s3.console.aws.amazon.com/s3/object/build-logs/${key}?region=us-east-1`,
      s3Logs: { status: 'ENABLED', location: 'build-logs/codebuild/s3-logs', encryptionDisabled: true },
      groupName: '/aws/codebuild/s3-logs',
    });
    const object = await s3.send(new GetObjectCommand({ Bucket: 'build-logs', Key: key }));
    const lines = gunzipSync(await object.Body!.transformToByteArray()).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toContain('hello from the build');
    expect(lines).toContain('no newline at the end');
    expect(lines.some((l) => /^\[Container\] \S+ \S+ Phase complete: BUILD State: SUCCEEDED$/.test(l))).toBe(true);
    // The same lines as CloudWatch Logs has (which shows a blank line as a space).
    expect(lines.map((l) => l || ' ')).toEqual(await buildLog(sw.url, sdkConfig(sw.url), b));
  });
});
