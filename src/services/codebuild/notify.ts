import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { CloudwatchOperations, MetricDatum } from '../../aws/models/generated/cloudwatch.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Scope } from '../../core/scope.js';
import { publishEvent } from '../common/events.js';
import type { BuildRecord, PhaseRecord } from './store.js';

/** `Sep 1, 2017 4:12:29 PM`: the format AWS uses for phase times in its events. */
export function eventTime(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const h = d.getUTCHours() % 12 || 12;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${month} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}

function contextText(p: PhaseRecord | undefined): string {
  const c = p?.contexts?.[0];
  return `[${c?.statusCode ?? ''}: ${c?.message ?? ''}]`;
}

/** What AWS puts under `additional-information` in CodeBuild's events. */
function additional(b: BuildRecord): Record<string, unknown> {
  return {
    'build-complete': b.buildComplete,
    initiator: b.initiator,
    'build-start-time': eventTime(b.startTime),
    source: b.source,
    'source-version': b.sourceVersion,
    artifact: b.artifactsOut ? { location: b.artifactsOut.location } : undefined,
    environment: { image: b.environment.image, 'privileged-mode': b.environment.privilegedMode ?? false, 'compute-type': b.environment.computeType, type: b.environment.type, 'environment-variables': b.envOverride.filter((v) => (v.type ?? 'PLAINTEXT') === 'PLAINTEXT') },
    'timeout-in-minutes': b.timeoutInMinutes,
    logs: { 'group-name': `/aws/codebuild/${b.projectName}`, 'stream-name': b.uuid },
    phases: b.phases.map((p) => ({ 'phase-type': p.phaseType, 'phase-status': p.phaseStatus, 'start-time': eventTime(p.startTime), 'end-time': p.endTime ? eventTime(p.endTime) : undefined, 'duration-in-seconds': p.endTime ? Math.round((p.endTime - p.startTime) / 1000) : undefined })),
  };
}

export class Notifier {
  constructor(
    private readonly aws: AwsClient,
    private readonly log: Logger,
  ) {}

  /** `CodeBuild Build State Change`: IN_PROGRESS when the build starts, then its final status. */
  buildState(scope: Scope, b: BuildRecord): Promise<void> {
    const last = b.phases[b.phases.length - 1];
    return publishEvent(this.aws, this.log, scope, {
      source: 'aws.codebuild',
      detailType: 'CodeBuild Build State Change',
      resources: [b.arn],
      detail: {
        'build-status': b.buildStatus,
        'project-name': b.projectName,
        'build-id': b.arn,
        'additional-information': additional(b),
        'current-phase': b.currentPhase,
        'current-phase-context': contextText(last),
        version: '1',
      },
    });
  }

  /** `CodeBuild Build Phase Change`, each time a phase completes. */
  phaseChange(scope: Scope, b: BuildRecord, p: PhaseRecord): Promise<void> {
    return publishEvent(this.aws, this.log, scope, {
      source: 'aws.codebuild',
      detailType: 'CodeBuild Build Phase Change',
      resources: [b.arn],
      detail: {
        'completed-phase': p.phaseType,
        'project-name': b.projectName,
        'build-id': b.arn,
        'completed-phase-context': contextText(p),
        'additional-information': additional(b),
        'completed-phase-status': p.phaseStatus,
        'completed-phase-duration-seconds': Math.round(((p.endTime ?? p.startTime) - p.startTime) / 1000),
        version: '1',
        'completed-phase-start': eventTime(p.startTime),
        'completed-phase-end': eventTime(p.endTime ?? p.startTime),
      },
    });
  }

  /** AWS/CodeBuild metrics of a finished build, per project and for the account. */
  async metrics(scope: Scope, b: BuildRecord): Promise<void> {
    const seconds = (t: PhaseRecord | undefined) => (t?.endTime ? (t.endTime - t.startTime) / 1000 : 0);
    const phase = (type: string) => b.phases.find((p) => p.phaseType === type);
    const values: [string, number, string][] = [
      ['Builds', 1, 'Count'],
      ['SucceededBuilds', b.buildStatus === 'SUCCEEDED' ? 1 : 0, 'Count'],
      ['FailedBuilds', b.buildStatus === 'SUCCEEDED' ? 0 : 1, 'Count'],
      ['Duration', ((b.endTime ?? b.startTime) - b.startTime) / 1000, 'Seconds'],
      ['QueuedDuration', seconds(phase('QUEUED')), 'Seconds'],
      ['BuildDuration', seconds(phase('BUILD')), 'Seconds'],
    ];
    const at = new Date(b.endTime ?? b.startTime);
    const data: MetricDatum[] = [];
    for (const dims of [[{ Name: 'ProjectName', Value: b.projectName }], []]) {
      for (const [name, value, unit] of values) data.push({ MetricName: name, Value: value, Unit: unit as MetricDatum['Unit'], Timestamp: at, Dimensions: dims });
    }
    try {
      await this.aws.service<CloudwatchOperations>('cloudwatch', scope).PutMetricData({ Namespace: 'AWS/CodeBuild', MetricData: data });
    } catch (e) {
      this.log.warn('build metrics could not be recorded', { build: b.id, error: errorMessage(e) });
    }
  }
}
