import type { ServiceDefinition } from '../service.js';
import type { CodePipeline } from './common.js';
import { Engine, type ActionJob } from './engine.js';
import { GitTriggers } from './git-triggers.js';
import { JobTimers } from './job-timers.js';
import { actionTypeOperations } from './ops-action-types.js';
import { executionOperations } from './ops-executions.js';
import { jobOperations } from './ops-jobs.js';
import { pipelineOperations } from './ops-pipelines.js';
import { targetOperations } from './ops-targets.js';
import { webhookOperations } from './ops-webhooks.js';
import { APPROVAL_TIMEOUT_MS, manualApproval } from './provider-approval.js';
import { codeBuildAction } from './provider-codebuild.js';
import { codeCommitSource } from './provider-codecommit.js';
import { codeDeployAction } from './provider-codedeploy.js';
import { customAction } from './provider-custom.js';
import { lambdaInvoke } from './provider-lambda.js';
import { s3Deploy, s3Source } from './provider-s3.js';
import { Runner, type ProviderTable } from './runner.js';
import { SourceWatch } from './source-watch.js';
import { PipelineStore } from './store.js';
import { webhookRoute } from './webhook-route.js';

/** CodePipeline: pipelines that run — sources, builds, deployments, approvals and job workers — on the durable job queue. */
export const codepipeline: ServiceDefinition = {
  name: 'codepipeline',
  create(deps) {
    const store = new PipelineStore(deps.db);
    const engine = new Engine(deps, store);
    // An approval nobody answered fails after seven days of AWS time.
    const approvalTimeout = deps.jobs.define<Omit<ActionJob, 'phase'> & { token: string }>('codepipeline-approval-timeout', async (t) => {
      engine.applyOutcome({ ...t, phase: 'start' }, { status: 'Failed', code: 'JobFailed', message: 'The approval request expired: nobody approved or rejected it within 7 days.' });
    });
    const jobTimers = new JobTimers(deps, store, engine);
    const providers: ProviderTable = {
      'AWS/Source/CodeCommit': codeCommitSource,
      'AWS/Source/S3': s3Source,
      'AWS/Deploy/S3': s3Deploy,
      'AWS/Build/CodeBuild': codeBuildAction,
      'AWS/Test/CodeBuild': codeBuildAction,
      'AWS/Deploy/CodeDeploy': codeDeployAction,
      'AWS/Approval/Manual': manualApproval((job, token) => approvalTimeout({ ...job, token }, { delayMs: APPROVAL_TIMEOUT_MS })),
      'AWS/Invoke/Lambda': lambdaInvoke(store),
      Custom: customAction(store, (ctx) => jobTimers.queue(ctx)),
    };
    const runner = new Runner(deps, store, engine, providers);
    const watch = new SourceWatch(deps, store, engine);
    new GitTriggers(deps, store, engine);
    const cp: CodePipeline = { deps, store, engine, runner, watch, jobTimers };
    return {
      provider: {
        ...pipelineOperations(cp),
        ...executionOperations(cp),
        ...jobOperations(cp),
        ...targetOperations(cp),
        ...webhookOperations(cp),
        ...actionTypeOperations(),
      },
      routes: [webhookRoute(cp)],
      start() {
        engine.resume();
      },
    };
  },
};
