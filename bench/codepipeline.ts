// Issue 7: CodePipeline's orchestration overhead per action and per stage transition for a
// Source → Build → Deploy pipeline of trivial steps, against a shell script doing the same
// steps in the same run; and 50 pipelines started at once, all checked for a correct result.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { zipSync, strToU8 } from 'fflate';
import type { CodepipelineOperations, PipelineDeclaration } from '../src/aws/models/generated/codepipeline.js';
import type { S3Operations } from '../src/aws/models/generated/s3.js';
import { Slipway } from '../src/slipway.js';
import { median } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const FANOUT = 50;
const scope = { accountId: '000000000000', region: 'us-east-1' };

/** Source (S3 zip) → "Build" (S3 deploy copying the artifact: a trivial step) → Deploy (S3 deploy, extracted). */
function pipeline(name: string): PipelineDeclaration {
  const deploy = { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' } as const;
  return {
    name,
    roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'Src' }] }] },
      { name: 'Build', actions: [{ name: 'Copy', actionTypeId: deploy, configuration: { BucketName: 'builds', Extract: 'false', ObjectKey: `${name}/app.zip` }, inputArtifacts: [{ name: 'Src' }] }] },
      { name: 'Deploy', actions: [{ name: 'Site', actionTypeId: deploy, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: `${name}/#{codepipeline.PipelineExecutionId}` }, inputArtifacts: [{ name: 'Src' }] }] },
    ],
  };
}

export async function benchCodepipeline(): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), 'slipway-bench-cp-'));
  const slipway = await Slipway.start({ host: '127.0.0.1', port: 0, logLevel: 'error', dataDir: join(root, 'slipway') });
  const cp = slipway.aws.service<CodepipelineOperations>('codepipeline', scope);
  const s3 = slipway.aws.service<S3Operations>('s3', scope);
  try {
    for (const b of ['artifacts', 'sources', 'builds', 'site']) await s3.CreateBucket({ Bucket: b });
    const zip = zipSync({ 'index.html': strToU8('<h1>hello</h1>'), 'app.js': strToU8('console.log(1)') });
    await s3.PutObject({ Bucket: 'sources', Key: 'app.zip', Body: zip });
    writeFileSync(join(root, 'app.zip'), zip);
    await cp.CreatePipeline({ pipeline: pipeline('bench') });
    await slipway.settled();

    const totals: number[] = [];
    const gaps: number[] = [];
    const perAction: number[] = [];
    const scripts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const { pipelineExecutionId } = await cp.StartPipelineExecution({ name: 'bench' });
      await slipway.settled();
      const total = performance.now() - t0;
      const e = (await cp.GetPipelineExecution({ pipelineName: 'bench', pipelineExecutionId: pipelineExecutionId! })).pipelineExecution!;
      if (e.status !== 'Succeeded') throw new Error(`execution ${pipelineExecutionId} ended ${e.status}`);
      const actions = (await cp.ListActionExecutions({ pipelineName: 'bench', filter: { pipelineExecutionId } })).actionExecutionDetails!;
      const byStage = (s: string) => actions.find((a) => a.stageName === s)!;
      const [src, build, dep] = ['Source', 'Build', 'Deploy'].map(byStage);
      gaps.push(build.startTime!.getTime() - src.lastUpdateTime!.getTime(), dep.startTime!.getTime() - build.lastUpdateTime!.getTime());
      const work = actions.reduce((sum, a) => sum + (a.lastUpdateTime!.getTime() - a.startTime!.getTime()), 0);
      perAction.push((total - work) / actions.length);
      totals.push(total);
      const s0 = performance.now();
      const r = spawnSync('sh', ['-c', 'cp app.zip src.zip && cp src.zip build.zip && mkdir -p out && unzip -qo build.zip -d out'], { cwd: root });
      if (r.status !== 0) throw new Error(`baseline script failed: ${r.stderr}`);
      scripts.push(performance.now() - s0);
    }

    // 50 pipelines started at once.
    for (let i = 0; i < FANOUT; i++) await cp.CreatePipeline({ pipeline: pipeline(`fan-${i}`) });
    await slipway.settled();
    const f0 = performance.now();
    const ids = await Promise.all(Array.from({ length: FANOUT }, (_, i) => cp.StartPipelineExecution({ name: `fan-${i}` })));
    await slipway.settled();
    const fanout = performance.now() - f0;
    let ok = 0;
    for (let i = 0; i < FANOUT; i++) {
      const id = ids[i].pipelineExecutionId!;
      const e = (await cp.GetPipelineExecution({ pipelineName: `fan-${i}`, pipelineExecutionId: id })).pipelineExecution!;
      const page = await s3.GetObject({ Bucket: 'site', Key: `fan-${i}/${id}/index.html` });
      if (e.status === 'Succeeded' && page.ContentLength === 14) ok++;
    }
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    return [
      `| CodePipeline Source → Build → Deploy (3 trivial S3 actions), start to Succeeded (median of ${RUNS}) | ${ms(median(totals))} | ${ms(median(scripts))} (sh: cp, cp, unzip) | — |`,
      `| … stage transition: previous stage's action done → next stage's action started (mean / max of ${RUNS * 2}; the clock counts whole ms) | ${ms(gaps.reduce((a, b) => a + b, 0) / gaps.length)} / ${ms(Math.max(...gaps))} | — | < 50 ms |`,
      `| … orchestration per action: (total − time inside actions) / 3 (median of ${RUNS}) | ${ms(median(perAction))} | — | < 50 ms |`,
      `| ${FANOUT} pipelines started at once: all Succeeded with their files deployed | ${ok}/${FANOUT} in ${ms(fanout)} | — | ${FANOUT}/${FANOUT} |`,
    ];
  } finally {
    await slipway.close();
    rmSync(root, { recursive: true, force: true });
  }
}
