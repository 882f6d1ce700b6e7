import type { Principal } from '../../aws/gateway/context.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import type { Scope } from '../../core/scope.js';
import type { BuildsDeps } from './builds-api.js';
import { buildArn, initiatorOf } from './build-view.js';
import type { BuildRecord, ProjectRecord } from './store.js';

/** What a build runs with: the project merged with StartBuild's overrides. */
export type BuildSettings = Omit<BuildRecord, 'id' | 'arn' | 'uuid' | 'buildNumber' | 'startTime' | 'currentPhase' | 'buildStatus' | 'buildComplete' | 'phases' | 'initiator' | 'principal'>;

/** Records a new build (SUBMITTED, then QUEUED), announces it and hands it to the engine. */
export function createBuild(d: BuildsDeps, scope: Scope, principal: Principal, p: ProjectRecord, s: BuildSettings, initiator = initiatorOf(principal)): BuildRecord {
  // A project's concurrentBuildLimit throttles new builds rather than queueing them, as on AWS.
  if (p.concurrentBuildLimit) {
    const active = d.store.builds.list(scope, `${p.name}:`).filter((b) => !b.buildComplete).length;
    if (active >= p.concurrentBuildLimit) {
      throw new ServiceError('AccountLimitExceededException', `Cannot have more than ${p.concurrentBuildLimit} active builds for the project ${p.name}`, { statusCode: 400 });
    }
  }
  const id8 = uuid();
  const id = `${p.name}:${id8}`;
  const now = d.clock.now();
  const record: BuildRecord = {
    ...s,
    id,
    arn: buildArn(scope, id),
    uuid: id8,
    buildNumber: 0,
    startTime: now,
    currentPhase: 'QUEUED',
    buildStatus: 'IN_PROGRESS',
    buildComplete: false,
    phases: [
      { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED', startTime: now, endTime: now, contexts: [{ statusCode: '', message: '' }] },
      { phaseType: 'QUEUED', startTime: now },
    ],
    initiator,
    principal,
  };
  d.store.takeBuildNumber(scope, p.name, (n) => {
    record.buildNumber = n;
    d.store.builds.put(scope, id, record);
  });
  // Published before the build's first phase event (calls are made in order), without waiting for it.
  void d.notify.buildState(scope, record);
  d.engine.submit(scope, id);
  return record;
}

/** The settings a build ran with, to run it again (RetryBuild, automatic retries). */
export function settingsOf(b: BuildRecord, idempotencyToken?: string): BuildSettings {
  const { source, sourceVersion, secondarySources, secondarySourceVersions, artifacts, secondaryArtifacts, cache, environment, envOverride, serviceRole, logsConfig, timeoutInMinutes, queuedTimeoutInMinutes, encryptionKey, autoRetry } = b;
  return { projectName: b.projectName, source, sourceVersion, secondarySources, secondarySourceVersions, artifacts, secondaryArtifacts, cache, environment, envOverride, serviceRole, logsConfig, timeoutInMinutes, queuedTimeoutInMinutes, encryptionKey, autoRetry, idempotencyToken };
}

/** After a build FAILED, FAULT or TIMED_OUT: the next automatic retry, while the limit allows. */
export async function autoRetry(d: BuildsDeps, scope: Scope, b: BuildRecord): Promise<void> {
  const r = b.autoRetry;
  if (!r || r.number >= r.limit || b.buildStatus === 'SUCCEEDED' || b.buildStatus === 'STOPPED') return;
  const p = d.store.projects.get(scope, b.projectName);
  if (!p) return;
  const next = createBuild(d, scope, b.principal, p, { ...settingsOf(b), autoRetry: { limit: r.limit, number: r.number + 1, previous: b.id } }, b.initiator);
  d.store.updateBuild(scope, b.id, (rec) => (rec.autoRetry = { ...r, next: next.id }));
}
