import type { Principal } from '../../aws/gateway/context.js';
import type {
  BuildArtifacts,
  BuildBatchPhase,
  BuildPhase,
  CodeCoverage,
  EnvironmentVariable,
  ExportedEnvironmentVariable,
  LogsConfig,
  PhaseContext,
  Project,
  ProjectArtifacts,
  ProjectBuildBatchConfig,
  ProjectCache,
  ProjectEnvironment,
  ProjectSource,
  ProjectSourceVersion,
  ReportGroup,
  Report,
  TestCase,
} from '../../aws/models/generated/codebuild.js';
import type { Scope } from '../../core/scope.js';
import { Collection } from '../../state/collection.js';
import type { Database } from '../../state/database.js';

export type PhaseType = NonNullable<BuildPhase['phaseType']>;
export type Status = NonNullable<BuildPhase['phaseStatus']>;

/** A project as stored: the API shape with times as epoch milliseconds. */
export type ProjectRecord = Omit<Project, 'created' | 'lastModified'> & { name: string; arn: string; created: number; lastModified: number };

export interface PhaseRecord {
  phaseType: PhaseType;
  phaseStatus?: Status;
  startTime: number;
  endTime?: number;
  contexts?: PhaseContext[];
}

/** Everything a build was started with (project merged with StartBuild's overrides) and what it did. */
export interface BuildRecord {
  id: string;
  arn: string;
  uuid: string;
  buildNumber: number;
  projectName: string;
  startTime: number;
  endTime?: number;
  currentPhase: PhaseType;
  buildStatus: Status;
  buildComplete: boolean;
  phases: PhaseRecord[];
  source: ProjectSource;
  sourceVersion?: string;
  resolvedSourceVersion?: string;
  secondarySources: ProjectSource[];
  secondarySourceVersions: ProjectSourceVersion[];
  artifacts: ProjectArtifacts;
  secondaryArtifacts: ProjectArtifacts[];
  artifactsOut?: BuildArtifacts;
  secondaryArtifactsOut?: BuildArtifacts[];
  cache: ProjectCache;
  environment: ProjectEnvironment;
  /** StartBuild's environmentVariablesOverride, which wins over the project's. */
  envOverride: EnvironmentVariable[];
  serviceRole: string;
  logsConfig: LogsConfig;
  timeoutInMinutes: number;
  queuedTimeoutInMinutes: number;
  encryptionKey?: string;
  initiator: string;
  principal: Principal;
  idempotencyToken?: string;
  exportedEnvironmentVariables?: ExportedEnvironmentVariable[];
  reportArns?: string[];
  /** The project's (or StartBuild's) autoRetryLimit and where this build is in the chain of retries. */
  autoRetry?: { limit: number; number: number; next?: string; previous?: string };
  /** Set once the runner began: a build found running after a restart was cut off. */
  started?: boolean;
  /** The batch this build belongs to. */
  buildBatchArn?: string;
}

/** One build of a batch: its plan, its current build and the builds a retry replaced. */
export interface BatchGroupRecord {
  identifier: string;
  dependsOn: string[];
  ignoreFailure: boolean;
  buildspec?: string;
  env: { image?: string; computeType?: string; type?: string; privilegedMode?: boolean; variables: Record<string, string> };
  current?: string;
  prior: string[];
}

export type BatchPhaseType = NonNullable<BuildBatchPhase['phaseType']>;

/** A build batch: the settings its builds start from, its phases and its groups. */
export interface BatchRecord {
  id: string;
  arn: string;
  uuid: string;
  buildBatchNumber: number;
  projectName: string;
  startTime: number;
  endTime?: number;
  currentPhase: BatchPhaseType;
  status: Status;
  complete: boolean;
  phases: { phaseType: BatchPhaseType; phaseStatus?: Status; startTime: number; endTime?: number; contexts?: PhaseContext[] }[];
  /** The settings of its builds before each group's overrides (a BuildSettings). */
  settings: Omit<BuildRecord, 'id' | 'arn' | 'uuid' | 'buildNumber' | 'startTime' | 'currentPhase' | 'buildStatus' | 'buildComplete' | 'phases' | 'initiator' | 'principal'>;
  batchConfig?: ProjectBuildBatchConfig;
  fastFail: boolean;
  combineArtifacts: boolean;
  groups: BatchGroupRecord[];
  initiator: string;
  principal: Principal;
  /** StopBuildBatch was called. */
  stopped?: boolean;
}

export type ReportGroupRecord = Omit<ReportGroup, 'created' | 'lastModified'> & { arn: string; name: string; created: number; lastModified: number };
export type ReportRecord = Omit<Report, 'created' | 'expired'> & { arn: string; created: number; testCases: TestCase[]; codeCoverages?: CodeCoverage[]; reportGroupArn: string };

/** CodeBuild's documents: projects, builds, build-number counters, report groups and reports. */
export class CodeBuildStore {
  readonly projects: Collection<ProjectRecord>;
  readonly builds: Collection<BuildRecord>;
  readonly counters: Collection<{ next: number }>;
  readonly reportGroups: Collection<ReportGroupRecord>;
  readonly reports: Collection<ReportRecord>;
  readonly batches: Collection<BatchRecord>;

  constructor(private readonly db: Database) {
    this.projects = new Collection(db, 'codebuild:projects');
    this.builds = new Collection(db, 'codebuild:builds');
    this.counters = new Collection(db, 'codebuild:build-numbers');
    this.reportGroups = new Collection(db, 'codebuild:report-groups');
    this.reports = new Collection(db, 'codebuild:reports');
    this.batches = new Collection(db, 'codebuild:build-batches');
  }

  /** The next build number of a project (1, 2, ...), committed with the build that takes it. */
  takeBuildNumber(scope: Scope, project: string, save: (n: number) => void): number {
    return this.db.sql.transaction(() => {
      const n = this.counters.get(scope, project)?.next ?? 1;
      this.counters.put(scope, project, { next: n + 1 });
      save(n);
      return n;
    })();
  }

  /** The next batch number of a project, committed with the batch that takes it. */
  takeBatchNumber(scope: Scope, project: string, save: (n: number) => void): void {
    this.db.sql.transaction(() => {
      const n = this.counters.get(scope, `batch:${project}`)?.next ?? 1;
      this.counters.put(scope, `batch:${project}`, { next: n + 1 });
      save(n);
    })();
  }

  updateBatch(scope: Scope, id: string, change: (b: BatchRecord) => void): BatchRecord | undefined {
    const b = this.batches.get(scope, id);
    if (!b) return undefined;
    change(b);
    this.batches.put(scope, id, b);
    return b;
  }

  /** Applies `change` to a build and commits it; returns the new record. */
  updateBuild(scope: Scope, id: string, change: (b: BuildRecord) => void): BuildRecord | undefined {
    const b = this.builds.get(scope, id);
    if (!b) return undefined;
    change(b);
    this.builds.put(scope, id, b);
    return b;
  }
}
