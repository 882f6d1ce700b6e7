import { BatchGetBuildsCommand, CodeBuildClient, CreateProjectCommand } from '@aws-sdk/client-codebuild';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CodeCommitClient, CreateRepositoryCommand } from '@aws-sdk/client-codecommit';
import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { GetPipelineExecutionCommand, GetPipelineStateCommand, ListActionExecutionsCommand, ListDeployActionExecutionTargetsCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { sdkConfig } from '../../helpers/slipway.js';
import { gitOk } from '../codecommit/support.js';
import { bucket, start, type Env } from './support.js';

/** The seed's buildspec.yml, with the deploy bundle's appspec.yml and hook scripts added to its artifacts (CodeDeploy needs them at the bundle's root). */
const BUILDSPEC = `version: 0.2
phases:
  pre_build:
    commands:
      - echo "Installing dependencies..."
      - npm install
      - echo "Running linting and code quality checks..."
      - npm run lint
  build:
    commands:
      - echo "Running tests..."
      - npm run test
      - echo "Building application..."
      - npm run build
  post_build:
    commands:
      - echo "Build completed successfully"
      - |
        if [ "$CODEBUILD_BUILD_SUCCEEDING" = "1" ]; then
          echo "Pushing to artifact repository..."
        fi
artifacts:
  files:
    - dist/**/*
    - package.json
    - appspec.yml
    - scripts/**/*
  name: BuildArtifact
cache:
  paths:
    - node_modules/**/*
`;

/** The seed's appspec.yml (its duplicated `timeout` key removed: YAML refuses duplicate keys). */
const APPSPEC = `version: 0.0
os: linux
Resources:
  - TargetService:
      Type: AWS::EC2::Instance
      Properties:
        Tags:
          - Key: Name
            Value: WebServer
Files:
  - source: /
    destination: /var/www/html
Permissions:
  - object: /var/www/html
    pattern: "**"
    owner: www-data
    group: www-data
    mode: 755
Hooks:
  ApplicationStop:
    - location: scripts/stop-server.sh
      timeout: 300
  BeforeInstall:
    - location: scripts/install-dependencies.sh
      timeout: 300
  ApplicationStart:
    - location: scripts/start-server.sh
      timeout: 300
  ValidateService:
    - location: scripts/validate-service.sh
      timeout: 300
`;

/** A small Node.js app without dependencies: lint, test and build are plain node scripts. */
function app(version: string): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'my-app', version: '1.0.0', private: true, scripts: { lint: 'node --check src/server.js && node --check src/message.js', test: 'node test/message.test.js', build: 'node build.js' } }, null, 2),
    '.npmrc': 'audit=false\nfund=false\nupdate-notifier=false\noffline=true\n',
    VERSION: `${version}\n`,
    'src/message.js': 'module.exports = (version, host) => `version ${version} on ${host}\\n`;\n',
    'src/server.js': [
      "const http = require('http');",
      "const fs = require('fs');",
      "const os = require('os');",
      "const path = require('path');",
      "const message = require('./message.js');",
      "const version = fs.readFileSync(path.join(__dirname, 'VERSION'), 'utf8').trim();",
      "http.createServer((req, res) => res.end(message(version, os.hostname()))).listen(Number(process.env.PORT || 80));",
      '',
    ].join('\n'),
    'test/message.test.js': "const assert = require('assert');\nassert.strictEqual(require('../src/message.js')('9', 'h'), 'version 9 on h\\n');\nconsole.log('1 test passed');\n",
    'build.js': "const fs = require('fs');\nfs.mkdirSync('dist', { recursive: true });\nfor (const f of ['server.js', 'message.js']) fs.copyFileSync('src/' + f, 'dist/' + f);\nfs.copyFileSync('VERSION', 'dist/VERSION');\n",
    'buildspec.yml': BUILDSPEC,
    'appspec.yml': APPSPEC,
    'scripts/stop-server.sh': '#!/bin/bash\nif [ -f /tmp/server.pid ]; then kill "$(cat /tmp/server.pid)" 2>/dev/null || true; rm -f /tmp/server.pid; fi\n',
    'scripts/install-dependencies.sh': '#!/bin/bash\necho "nothing to install"\n',
    'scripts/start-server.sh': '#!/bin/bash\ncd /var/www/html/dist\nnohup node server.js > /var/log/app.log 2>&1 &\necho $! > /tmp/server.pid\n',
    'scripts/validate-service.sh': '#!/bin/bash\nfor i in $(seq 1 100); do curl -sf http://localhost/ > /dev/null && exit 0; sleep 0.1; done\necho "service did not answer" >&2\nexit 1\n',
  };
}

const SEED_PIPELINE_FILE = new URL('../../fixtures/codepipeline/pipeline.json', import.meta.url);

/** Builds and deployments run as real processes: the test looks again a moment later, up to a bound. */
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('Exercise 1 of the seed: a push to CodeCommit is built, tested and deployed to EC2 instances by the pipeline', () => {
  let env: Env;
  let repo: string;
  let addresses: string[];
  let ids: string[];
  beforeAll(async () => {
    env = await start({ realTime: true });
    repo = join(env.sw.dataDir, 'my-repo');
  });
  afterAll(() => env.sw.close());

  async function commit(version: string, message: string): Promise<void> {
    for (const [path, content] of Object.entries(app(version))) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), content, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
    }
    await gitOk(repo, ['add', '-A']);
    await gitOk(repo, ['commit', '-qm', message]);
  }

  async function finished(pipelineExecutionId: string) {
    const cp = env.cp;
    for (let i = 0; i < 2500; i++) {
      const e = (await cp.send(new GetPipelineExecutionCommand({ pipelineName: 'my-app-pipeline', pipelineExecutionId }))).pipelineExecution!;
      if (e.status !== 'InProgress') return e;
      await tick();
    }
    const state = await cp.send(new GetPipelineStateCommand({ name: 'my-app-pipeline' }));
    throw new Error(`execution ${pipelineExecutionId} did not finish: ${JSON.stringify(state.stageStates?.map((s) => s.actionStates))}`);
  }

  async function served(): Promise<string[]> {
    return Promise.all(addresses.map(async (a) => (await fetch(`http://${a}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => '')).trim()));
  }

  it('creates everything from the seed, then a push is served by every instance', async () => {
    const config = sdkConfig(env.sw.url);
    const ec2 = new EC2Client(config);
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-0c55b159cbfafe1f0', InstanceType: 't3.micro', MinCount: 2, MaxCount: 2, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'WebServer' }] }] }));
    ids = run.Instances!.map((i) => i.InstanceId!);
    await env.sw.slipway.settled();
    addresses = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }))).Reservations!.flatMap((r) => r.Instances!.map((i) => i.PrivateIpAddress!));
    for (const b of ['my-artifact-bucket', 'my-artifacts-bucket']) await bucket(env.s3, b);
    const cd = new CodeDeployClient(config);
    await cd.send(new CreateApplicationCommand({ applicationName: 'my-application' }));
    await cd.send(new CreateDeploymentGroupCommand({ applicationName: 'my-application', deploymentGroupName: 'production', serviceRoleArn: 'arn:aws:iam::000000000000:role/CodeDeployRole', ec2TagFilters: [{ Key: 'Name', Value: 'WebServer', Type: 'KEY_AND_VALUE' }] }));
    const cb = new CodeBuildClient(config);
    await cb.send(new CreateProjectCommand({
      name: 'my-build-project', source: { type: 'CODECOMMIT', location: 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/my-repo' }, artifacts: { type: 'S3', location: 'my-artifacts-bucket' },
      environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:5.0', computeType: 'BUILD_GENERAL1_SMALL' }, serviceRole: 'arn:aws:iam::000000000000:role/CodeBuildRole',
    }));
    await new CodeCommitClient(config).send(new CreateRepositoryCommand({ repositoryName: 'my-repo' }));
    mkdirSync(repo);
    await gitOk(repo, ['init', '-q', '-b', 'main']);
    await commit('1', 'Version 1');
    await gitOk(repo, ['push', '-q', `${env.sw.url}/v1/repos/my-repo`, 'main']);

    copyFileSync(SEED_PIPELINE_FILE, join(env.sw.dataDir, 'pipeline.json'));
    const created = await awsCli(env.sw.env)('codepipeline', 'create-pipeline', '--cli-input-json', `file://${join(env.sw.dataDir, 'pipeline.json')}`);
    expect(created.code, created.stderr).toBe(0);
    await env.sw.slipway.settled();
    const [first] = (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'my-app-pipeline' }))).pipelineExecutionSummaries!;
    const e1 = await finished(first.pipelineExecutionId!);
    expect(e1.status, e1.statusSummary).toBe('Succeeded');
    expect((await served()).map((s) => s.split(' on ')[0])).toEqual(['version 1', 'version 1']);

    const eb = new EventBridgeClient(config);
    await eb.send(new PutRuleCommand({ Name: 'my-repo-main', EventPattern: JSON.stringify({ source: ['aws.codecommit'], 'detail-type': ['CodeCommit Repository State Change'], resources: ['arn:aws:codecommit:us-east-1:000000000000:my-repo'], detail: { event: ['referenceCreated', 'referenceUpdated'], referenceName: ['main'] } }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'my-repo-main', Targets: [{ Id: 'pipeline', Arn: 'arn:aws:codepipeline:us-east-1:000000000000:my-app-pipeline' }] }));

    await commit('2', 'Version 2');
    const t0 = performance.now();
    await gitOk(repo, ['push', '-q', `${env.sw.url}/v1/repos/my-repo`, 'main']);
    let pages = addresses.map(() => '');
    for (let i = 0; i < 3000 && !pages.every((p) => p.startsWith('version 2')); i++) {
      pages = await served();
      if (!pages.every((p) => p.startsWith('version 2'))) await tick();
    }
    const pushToServed = performance.now() - t0;
    expect(pages.map((s) => s.split(' on ')[0])).toEqual(['version 2', 'version 2']);
    console.log(`Exercise 1: push-to-served ${pushToServed.toFixed(0)} ms`);

    const [second] = (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'my-app-pipeline' }))).pipelineExecutionSummaries!;
    expect(second.trigger?.triggerType).toBe('CloudWatchEvent');
    const e2 = await finished(second.pipelineExecutionId!);
    expect(e2.status).toBe('Succeeded');
    const actions = (await env.cp.send(new ListActionExecutionsCommand({ pipelineName: 'my-app-pipeline', filter: { pipelineExecutionId: second.pipelineExecutionId } }))).actionExecutionDetails!;
    const buildId = actions.find((a) => a.actionName === 'BuildAction')!.output!.executionResult!.externalExecutionId!;
    const [build] = (await cb.send(new BatchGetBuildsCommand({ ids: [buildId] }))).builds!;
    expect(build.buildStatus).toBe('SUCCEEDED');
    expect(build.phases!.find((p) => p.phaseType === 'BUILD')!.phaseStatus).toBe('SUCCEEDED');
    const log = await new CloudWatchLogsClient(config).send(new GetLogEventsCommand({ logGroupName: build.logs!.groupName!, logStreamName: build.logs!.streamName!, startFromHead: true }));
    expect(log.events!.map((e) => e.message).join('\n')).toContain('1 test passed');
    const deploy = actions.find((a) => a.actionName === 'DeployAction')!;
    expect(deploy.output!.executionResult!.externalExecutionId).toMatch(/^d-[A-Z0-9]{9}$/);
    const { targets } = await env.cp.send(new ListDeployActionExecutionTargetsCommand({ pipelineName: 'my-app-pipeline', actionExecutionId: deploy.actionExecutionId! }));
    expect(targets!.map((t) => [t.targetId, t.status]).sort()).toEqual(ids.map((id) => [id, 'Succeeded']).sort());
    expect(targets![0].events!.find((e) => e.name === 'ApplicationStart')?.status).toBe('Succeeded');
  }, 120_000);
});
