import type { Principal } from '../../aws/gateway/context.js';
import type { Build } from '../../aws/models/generated/codebuild.js';
import { formatArn } from '../../core/arn.js';
import type { Scope } from '../../core/scope.js';
import { s3LogFields } from './s3-logs.js';
import type { BuildRecord } from './store.js';

export function buildArn(scope: Scope, id: string): string {
  return formatArn({ service: 'codebuild', region: scope.region, accountId: scope.accountId, resource: `build/${id}` });
}

/** A build id from an id (`project:uuid`) or a build ARN. */
export function buildId(idOrArn: string): string {
  const m = /^arn:aws[\w-]*:codebuild:[^:]*:\d*:build\/(.+)$/.exec(idOrArn);
  return m ? m[1] : idOrArn;
}

/** CODEBUILD_INITIATOR: the IAM user's name, `role/session` for assumed roles, `root` for the account. */
export function initiatorOf(p: Principal): string {
  const arn = p.arn;
  const assumed = /:assumed-role\/(.+)$/.exec(arn);
  if (assumed) return assumed[1];
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (user) return user[1];
  return /:root$/.test(arn) ? 'root' : arn;
}

/** The build as BatchGetBuilds returns it. */
export function buildView(b: BuildRecord, scope: Scope): Build {
  const cw = b.logsConfig.cloudWatchLogs ?? { status: 'ENABLED' };
  const enabled = cw.status === 'ENABLED';
  const group = cw.groupName ?? `/aws/codebuild/${b.projectName}`;
  const stream = cw.streamName ? `${cw.streamName}/${b.uuid}` : b.uuid;
  return {
    id: b.id,
    arn: b.arn,
    buildNumber: b.buildNumber,
    startTime: new Date(b.startTime),
    endTime: b.endTime !== undefined ? new Date(b.endTime) : undefined,
    currentPhase: b.currentPhase,
    buildStatus: b.buildStatus,
    sourceVersion: b.sourceVersion,
    resolvedSourceVersion: b.resolvedSourceVersion,
    projectName: b.projectName,
    phases: b.phases.map((p) => ({
      phaseType: p.phaseType,
      phaseStatus: p.phaseStatus,
      startTime: new Date(p.startTime),
      endTime: p.endTime !== undefined ? new Date(p.endTime) : undefined,
      durationInSeconds: p.endTime !== undefined ? Math.round((p.endTime - p.startTime) / 1000) : undefined,
      contexts: p.contexts,
    })),
    source: b.source,
    secondarySources: b.secondarySources,
    secondarySourceVersions: b.secondarySourceVersions,
    artifacts: b.artifactsOut ?? { location: '' },
    secondaryArtifacts: b.secondaryArtifactsOut ?? [],
    cache: b.cache,
    environment: { ...b.environment, environmentVariables: mergedVariables(b) },
    serviceRole: b.serviceRole,
    logs: enabled
      ? {
          groupName: group,
          streamName: stream,
          deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${scope.region}#logEvent:group=${group};stream=${stream}`,
          cloudWatchLogsArn: formatArn({ service: 'logs', region: scope.region, accountId: scope.accountId, resource: `log-group:${group}:log-stream:${stream}` }),
          cloudWatchLogs: cw,
          s3Logs: b.logsConfig.s3Logs ?? { status: 'DISABLED', encryptionDisabled: false },
          ...s3LogFields(b.logsConfig, b.uuid, scope.region),
        }
      : { cloudWatchLogs: cw, s3Logs: b.logsConfig.s3Logs ?? { status: 'DISABLED', encryptionDisabled: false }, deepLink: '', ...s3LogFields(b.logsConfig, b.uuid, scope.region) },
    timeoutInMinutes: b.timeoutInMinutes,
    queuedTimeoutInMinutes: b.queuedTimeoutInMinutes,
    buildComplete: b.buildComplete,
    initiator: b.initiator,
    encryptionKey: b.encryptionKey,
    exportedEnvironmentVariables: b.exportedEnvironmentVariables,
    reportArns: b.reportArns,
    buildBatchArn: b.buildBatchArn,
    autoRetryConfig: b.autoRetry ? { autoRetryLimit: b.autoRetry.limit, autoRetryNumber: b.autoRetry.number, nextAutoRetry: b.autoRetry.next, previousAutoRetry: b.autoRetry.previous } : undefined,
  };
}

function mergedVariables(b: BuildRecord) {
  const byName = new Map((b.environment.environmentVariables ?? []).map((v) => [v.name, v]));
  for (const v of b.envOverride) byName.set(v.name, v);
  return [...byName.values()];
}
