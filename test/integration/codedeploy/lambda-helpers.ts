import { CodeDeployClient, BatchGetDeploymentTargetsCommand, CreateDeploymentCommand, ListDeploymentTargetsCommand } from '@aws-sdk/client-codedeploy';
import { GetAliasCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { vi } from 'vitest';
import type { CodedeployOperations } from '../../../src/aws/models/generated/codedeploy.js';
import type { Handler } from './lambda-stand-in.js';

export { waitForDeployment } from './traffic-helpers.js';

/** A hook function that reports `status` for the execution it was invoked for, as a validation hook does. */
export function reportingHook(status: 'Succeeded' | 'Failed', seen: Record<string, string>[] = []): Handler {
  return async (event, { aws, scope }) => {
    seen.push(event);
    await aws.service<CodedeployOperations>('codedeploy', scope).PutLifecycleEventHookExecutionStatus({ deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status });
  };
}

export function appSpec(fn: string, alias: string, current: string, target: string, hooks: { before?: string; after?: string } = {}): string {
  const lines = ['version: 0.0', 'Resources:', `  - ${fn}:`, '      Type: AWS::Lambda::Function', '      Properties:', `        Name: ${fn}`, `        Alias: ${alias}`, `        CurrentVersion: "${current}"`, `        TargetVersion: "${target}"`];
  if (hooks.before || hooks.after) lines.push('Hooks:');
  if (hooks.before) lines.push(`  - BeforeAllowTraffic: ${hooks.before}`);
  if (hooks.after) lines.push(`  - AfterAllowTraffic: ${hooks.after}`);
  return `${lines.join('\n')}\n`;
}

export async function deploy(cd: CodeDeployClient, app: string, group: string, content: string, deploymentConfigName?: string): Promise<string> {
  const out = await cd.send(new CreateDeploymentCommand({ applicationName: app, deploymentGroupName: group, deploymentConfigName, revision: { revisionType: 'AppSpecContent', appSpecContent: { content } } }));
  return out.deploymentId!;
}

export async function lambdaTarget(cd: CodeDeployClient, deploymentId: string) {
  const ids = (await cd.send(new ListDeploymentTargetsCommand({ deploymentId }))).targetIds!;
  const out = await cd.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ids }));
  return out.deploymentTargets!.map((t) => ({ type: t.deploymentTargetType, ...t.lambdaTarget! }));
}

/** Waits until the alias is on `version` with exactly these additional weights. */
export async function waitForAlias(lambda: LambdaClient, fn: string, alias: string, version: string, weights: Record<string, number> = {}, timeout = 10_000): Promise<void> {
  await vi.waitFor(async () => {
    const a = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: alias }));
    const got = JSON.stringify([a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights ?? {}]);
    if (got !== JSON.stringify([version, weights])) throw new Error(`alias ${alias} is ${got}`);
  }, { timeout, interval: 5 });
}

/**
 * Invokes the alias continuously with `concurrency` callers, counting responses per executed
 * version into the bucket of the current phase, and failed invocations (function errors or
 * API errors) separately.
 */
export class InvokeLoad {
  phase = 'before';
  readonly counts: Record<string, Record<string, number>> = {};
  readonly failures: Record<string, number> = {};
  /** What each failure said, for the assertion message. */
  readonly errors: string[] = [];
  private running = true;
  private inFlight = 0;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly lambda: LambdaClient, private readonly fn: string, private readonly alias: string, concurrency = 4) {
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  /**
   * Lets the calls in flight finish and holds new ones until `resume()`: a ManualClock jump of
   * minutes would otherwise fire the timeout of an invocation running across it.
   */
  async pause(): Promise<void> {
    this.held = new Promise((r) => (this.release = r));
    await vi.waitFor(() => {
      if (this.inFlight) throw new Error(`${this.inFlight} calls in flight`);
    }, { timeout: 30_000, interval: 2 });
  }

  resume(): void {
    this.release?.();
    this.held = undefined;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.held) await this.held;
      const phase = this.phase;
      this.inFlight++;
      try {
        const out = await this.lambda.send(new InvokeCommand({ FunctionName: this.fn, Qualifier: this.alias }));
        if (out.FunctionError) {
          this.failures[phase] = (this.failures[phase] ?? 0) + 1;
          this.errors.push(`${phase}: version ${out.ExecutedVersion} ${Buffer.from(out.Payload ?? []).toString('utf8')}`);
        }
        else {
          const bucket = (this.counts[phase] ??= {});
          bucket[out.ExecutedVersion!] = (bucket[out.ExecutedVersion!] ?? 0) + 1;
        }
      } catch (e) {
        this.failures[phase] = (this.failures[phase] ?? 0) + 1;
        this.errors.push(`${phase}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.inFlight--;
      }
    }
  }

  total(phase: string): number {
    return Object.values(this.counts[phase] ?? {}).reduce((a, b) => a + b, 0) + (this.failures[phase] ?? 0);
  }

  /** Waits until `n` responses were counted in the current phase. */
  async collect(n: number, timeout = 20_000): Promise<void> {
    const phase = this.phase;
    await vi.waitFor(() => {
      if (this.total(phase) < n) throw new Error(`${this.total(phase)} of ${n} responses in ${phase}`);
    }, { timeout, interval: 5 });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.resume();
    await Promise.all(this.loops);
  }
}
