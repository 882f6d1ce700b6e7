import type {
  ActionDeclaration, ActionTypeSettings, ActionConfigurationProperty, ArtifactDetail, ArtifactDetails, ArtifactRevision, ErrorDetails,
  ExecutionTrigger, PipelineDeclaration, SourceRevisionOverride, Tag, WebhookDefinition,
} from '../../aws/models/generated/codepipeline.js';
import type { Scope } from '../../core/scope.js';
import type { ConditionKind, ConditionsRecord } from './conditions.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

export type ExecutionStatus = 'Cancelled' | 'InProgress' | 'Stopped' | 'Stopping' | 'Succeeded' | 'Superseded' | 'Failed';
export type StageStatus = 'Cancelled' | 'InProgress' | 'Failed' | 'Stopped' | 'Stopping' | 'Succeeded' | 'Skipped';
export type ActionStatus = 'InProgress' | 'Abandoned' | 'Succeeded' | 'Failed';

export interface TransitionRecord {
  enabled: boolean;
  lastChangedBy?: string;
  lastChangedAt?: number;
  disabledReason?: string;
}

export interface PipelineRecord {
  name: string;
  arn: string;
  declaration: PipelineDeclaration;
  created: number;
  updated: number;
  tags: Tag[];
  /** Inbound transitions by stage name; absent means enabled. */
  transitions: Record<string, TransitionRecord>;
  /** How many executions were ever started (orders executions started in the same millisecond). */
  executions: number;
}

/** Where an artifact of an execution lives in the artifact store. */
export interface ArtifactRef {
  name: string;
  bucket: string;
  key: string;
}

export interface ActionRun {
  id: string;
  stage: string;
  action: string;
  status: ActionStatus;
  startTime: number;
  lastUpdate: number;
  attempt: number;
  summary?: string;
  externalExecutionId?: string;
  externalExecutionUrl?: string;
  error?: ErrorDetails;
  percentComplete?: number;
  updatedBy?: string;
  /** The approval token while a manual approval waits. */
  token?: string;
  configuration: Record<string, string>;
  resolvedConfiguration: Record<string, string>;
  inputArtifacts: ArtifactDetail[];
  outputArtifacts: ArtifactDetail[];
  outputVariables?: Record<string, string>;
  /** Provider state that must survive a restart (build id, deployment id, job id). */
  state: Record<string, string>;
}

export interface StageRun {
  status: StageStatus;
  attempt: number;
  type: 'STANDARD' | 'ROLLBACK';
  actions: Record<string, ActionRun>;
  manualRetries: number;
  autoRetries: number;
  latestRetryTrigger?: 'AutomatedStageRetry' | 'ManualStageRetry';
  /** The latest evaluation of the stage's conditions, by kind. */
  conditions?: Partial<Record<ConditionKind, ConditionsRecord>>;
}

export interface ExecutionRecord {
  id: string;
  pipelineName: string;
  pipelineVersion: number;
  seq: number;
  status: ExecutionStatus;
  statusSummary?: string;
  mode: 'QUEUED' | 'SUPERSEDED' | 'PARALLEL';
  type: 'STANDARD' | 'ROLLBACK';
  rollbackTarget?: string;
  /** Rollback executions rerun only this stage, with the target execution's artifacts. */
  onlyStage?: string;
  trigger: ExecutionTrigger;
  stopReason?: string;
  abandon?: boolean;
  startTime: number;
  lastUpdateTime: number;
  variables: { name: string; resolvedValue: string }[];
  sourceOverrides: SourceRevisionOverride[];
  /** Index of the stage the execution is in, or waits to enter. */
  stageIndex: number;
  /** Waiting for the inbound transition (disabled, or the stage is busy). */
  waiting: boolean;
  stages: Record<string, StageRun>;
  /** Earlier attempts of actions (stage retries), for ListActionExecutions. */
  history: ActionRun[];
  artifacts: Record<string, ArtifactRef>;
  namespaces: Record<string, Record<string, string>>;
  revisions: (Omit<ArtifactRevision, 'created'> & { actionName: string; created?: number })[];
}

/** Executions in and waiting for each stage of a pipeline (execution modes). */
export interface RuntimeRecord {
  stages: Record<string, { occupants: string[]; waiting: string[] }>;
  /** Last source revision seen per polled source action (PollForSourceChanges, triggers). */
  heads: Record<string, string>;
  /** The polling timer's generation: a stale timer job stops when the pipeline changed. */
  pollGeneration: number;
}

export interface CustomActionTypeRecord {
  category: ActionDeclaration['actionTypeId']['category'];
  provider: string;
  version: string;
  settings?: ActionTypeSettings;
  configurationProperties: ActionConfigurationProperty[];
  inputArtifactDetails: ArtifactDetails;
  outputArtifactDetails: ArtifactDetails;
  tags: Tag[];
  deleted?: boolean;
}

export type JobStatus = 'Created' | 'Queued' | 'Dispatched' | 'InProgress' | 'TimedOut' | 'Succeeded' | 'Failed';

/** A job for a custom action's job worker. */
export interface JobRecord {
  id: string;
  nonce: string;
  status: JobStatus;
  actionTypeKey: string;
  pipelineName: string;
  executionId: string;
  stage: string;
  action: string;
  actionExecutionId: string;
  continuationToken?: string;
  created: number;
}

/** A webhook: its definition and the secret part of its URL. */
export interface WebhookRecord {
  definition: WebhookDefinition;
  arn: string;
  /** The URL's `t` parameter; a webhook deleted and put again gets a new one. */
  token: string;
  tags: Tag[];
  lastTriggered?: number;
  /** RegisterWebhookWithThirdParty was called (and not undone). */
  registered?: boolean;
}

export class PipelineStore {
  readonly pipelines: Collection<PipelineRecord>;
  readonly versions: Collection<PipelineDeclaration>;
  readonly executions: Collection<ExecutionRecord>;
  readonly runtime: Collection<RuntimeRecord>;
  readonly customTypes: Collection<CustomActionTypeRecord>;
  readonly jobs: Collection<JobRecord>;
  readonly webhooks: Collection<WebhookRecord>;

  constructor(readonly db: Database) {
    this.pipelines = new Collection(db, 'codepipeline:pipelines');
    this.versions = new Collection(db, 'codepipeline:versions');
    this.executions = new Collection(db, 'codepipeline:executions');
    this.runtime = new Collection(db, 'codepipeline:runtime');
    this.customTypes = new Collection(db, 'codepipeline:custom-action-types');
    this.jobs = new Collection(db, 'codepipeline:jobs');
    this.webhooks = new Collection(db, 'codepipeline:webhooks');
  }

  /** Runs `fn` in one SQLite transaction: state and the jobs it enqueues commit together. */
  atomic<T>(fn: () => T): T {
    return this.db.sql.transaction(fn)();
  }

  execution(scope: Scope, pipeline: string, id: string): ExecutionRecord | undefined {
    return this.executions.get(scope, executionKey(pipeline, id));
  }

  saveExecution(scope: Scope, e: ExecutionRecord): void {
    this.executions.put(scope, executionKey(e.pipelineName, e.id), e);
  }

  /** A pipeline's executions, newest first. */
  listExecutions(scope: Scope, pipeline: string): ExecutionRecord[] {
    return this.executions.list(scope, `${pipeline}/`).sort((a, b) => b.seq - a.seq);
  }

  runtimeOf(scope: Scope, pipeline: string): RuntimeRecord {
    return this.runtime.get(scope, pipeline) ?? { stages: {}, heads: {}, pollGeneration: 0 };
  }
}

export function executionKey(pipeline: string, id: string): string {
  return `${pipeline}/${id}`;
}

export function versionKey(pipeline: string, version: number): string {
  return `${pipeline}/${String(version).padStart(10, '0')}`;
}

export function actionTypeKey(t: { category: string; owner: string; provider: string; version: string }): string {
  return `${t.category}/${t.owner}/${t.provider}/${t.version}`;
}
