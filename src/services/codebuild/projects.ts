import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodebuildOperations, CreateProjectInput, LogsConfig, Project, ProjectArtifacts, ProjectSource } from '../../aws/models/generated/codebuild.js';
import { formatArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { CodeBuildStore, ProjectRecord } from './store.js';

type Ops = Partial<CodebuildOperations<RequestContext>>;

export function invalidInput(message: string): ServiceError {
  return new ServiceError('InvalidInputException', message, { statusCode: 400 });
}

export function projectArn(scope: Scope, name: string): string {
  return formatArn({ service: 'codebuild', region: scope.region, accountId: scope.accountId, resource: `project/${name}` });
}

/** The project a name or ARN refers to. */
export function projectName(nameOrArn: string): string {
  const m = /^arn:aws[\w-]*:codebuild:[^:]*:\d*:project\/(.+)$/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

export function checkSource(s: ProjectSource, where: string): void {
  const needsLocation = !['NO_SOURCE', 'CODEPIPELINE'].includes(s.type);
  if (needsLocation && !s.location) throw invalidInput(`Invalid input: ${where} location is required for source type ${s.type}`);
  if (s.type === 'NO_SOURCE' && !s.buildspec) throw invalidInput(`Invalid input: ${where} buildspec cannot be empty for source type NO_SOURCE`);
  if (s.type === 'S3' && s.location && !/^[^/]+\/.+/.test(s.location)) throw invalidInput(`Invalid input: ${where} location must be <bucket>/<key> for source type S3, got ${s.location}`);
}

export function checkArtifacts(a: ProjectArtifacts, where: string): void {
  if (a.type === 'S3' && !a.location) throw invalidInput(`Invalid input: ${where} location is required when artifacts type is S3`);
}

/** An S3 log needs a bucket to go to. */
export function checkLogsConfig(c: LogsConfig | undefined): void {
  if (c?.s3Logs?.status === 'ENABLED' && !c.s3Logs.location?.replace(/^arn:aws[\w-]*:s3:::/, '')) throw invalidInput('Invalid input: S3 logs location is required when S3 logs status is ENABLED');
}

function validate(p: Omit<ProjectRecord, 'arn' | 'created' | 'lastModified'>): void {
  checkSource(p.source!, 'source');
  checkArtifacts(p.artifacts!, 'artifacts');
  const pipelineSource = p.source!.type === 'CODEPIPELINE';
  const pipelineArtifacts = p.artifacts!.type === 'CODEPIPELINE';
  if (pipelineSource !== pipelineArtifacts) {
    throw invalidInput('Invalid input: when using CodePipeline both sourceType, and artifactType must be set to: CODEPIPELINE');
  }
  const ids = new Set<string>();
  for (const s of p.secondarySources ?? []) {
    if (!s.sourceIdentifier) throw invalidInput('Invalid input: secondary source identifier is required');
    if (!/^[A-Za-z]\w{0,127}$/.test(s.sourceIdentifier)) throw invalidInput(`Invalid input: invalid secondary source identifier ${s.sourceIdentifier}`);
    if (ids.has(s.sourceIdentifier)) throw invalidInput(`Invalid input: duplicate secondary source identifier ${s.sourceIdentifier}`);
    ids.add(s.sourceIdentifier);
    checkSource(s, `secondary source ${s.sourceIdentifier}`);
  }
  for (const a of p.secondaryArtifacts ?? []) {
    if (!a.artifactIdentifier) throw invalidInput('Invalid input: secondary artifact identifier is required');
    checkArtifacts(a, `secondary artifact ${a.artifactIdentifier}`);
  }
  checkLogsConfig(p.logsConfig);
  if (p.cache?.type === 'S3' && !p.cache.location) throw invalidInput('Invalid input: cache location is required when cache type is S3');
  if (p.cache?.type === 'LOCAL' && !p.cache.modes?.length) throw invalidInput('Invalid input: cache modes are required when cache type is LOCAL');
}

/** The project as BatchGetProjects shows it, with AWS's defaults filled in. */
export function projectView(p: ProjectRecord, scope: Scope): Project {
  return {
    ...p,
    created: new Date(p.created),
    lastModified: new Date(p.lastModified),
    timeoutInMinutes: p.timeoutInMinutes ?? 60,
    queuedTimeoutInMinutes: p.queuedTimeoutInMinutes ?? 480,
    encryptionKey: p.encryptionKey ?? `arn:aws:kms:${scope.region}:${scope.accountId}:alias/aws/s3`,
    cache: p.cache ?? { type: 'NO_CACHE' },
    logsConfig: {
      cloudWatchLogs: p.logsConfig?.cloudWatchLogs ?? { status: 'ENABLED' },
      s3Logs: p.logsConfig?.s3Logs ?? { status: 'DISABLED', encryptionDisabled: false },
    },
    badge: p.badge ?? { badgeEnabled: false },
    projectVisibility: p.projectVisibility ?? 'PRIVATE',
  };
}

function fromInput(input: CreateProjectInput): Omit<ProjectRecord, 'arn' | 'created' | 'lastModified'> {
  const { badgeEnabled, ...rest } = input;
  return { ...rest, badge: { badgeEnabled: badgeEnabled ?? false } };
}

type SortKey = (p: ProjectRecord) => string | number;
const SORTS: Record<string, SortKey> = { NAME: (p) => p.name, CREATED_TIME: (p) => p.created, LAST_MODIFIED_TIME: (p) => p.lastModified };

/** One page of `items` from an offset token. */
export function pageByOffset<T>(items: T[], token: string | undefined, size: number): { page: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidInput(`Invalid next token: ${token}`);
  const page = items.slice(start, start + size);
  return { page, next: start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined };
}

export function projectOperations(store: CodeBuildStore, now: () => number): Ops {
  return {
    async CreateProject(input, ctx) {
      if (store.projects.has(ctx, input.name)) throw new ServiceError('ResourceAlreadyExistsException', `Project already exists: ${projectArn(ctx, input.name)}`, { statusCode: 400 });
      const fields = fromInput(input);
      validate(fields);
      const t = now();
      const record: ProjectRecord = { ...fields, name: input.name, arn: projectArn(ctx, input.name), created: t, lastModified: t };
      store.projects.put(ctx, input.name, record);
      return { project: projectView(record, ctx) };
    },

    async UpdateProject(input, ctx) {
      const name = projectName(input.name);
      const old = store.projects.get(ctx, name);
      if (!old) throw new ServiceError('ResourceNotFoundException', `Project cannot be found: ${projectArn(ctx, name)}`, { statusCode: 400 });
      const { badgeEnabled, name: _n, ...changes } = input;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const record: ProjectRecord = { ...old, ...defined, lastModified: now() };
      if (badgeEnabled !== undefined) record.badge = { badgeEnabled };
      validate(record);
      store.projects.put(ctx, name, record);
      return { project: projectView(record, ctx) };
    },

    async DeleteProject(input, ctx) {
      store.projects.delete(ctx, projectName(input.name));
      return {};
    },

    async BatchGetProjects(input, ctx) {
      const projects: Project[] = [];
      const projectsNotFound: string[] = [];
      for (const n of input.names) {
        const p = store.projects.get(ctx, projectName(n));
        if (p) projects.push(projectView(p, ctx));
        else projectsNotFound.push(n);
      }
      return { projects, projectsNotFound };
    },

    async ListProjects(input, ctx) {
      const key = SORTS[input.sortBy ?? 'LAST_MODIFIED_TIME'];
      const desc = (input.sortOrder ?? 'DESCENDING') === 'DESCENDING';
      const all = store.projects.list(ctx).sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const c = x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : 1;
        return desc ? -c : c;
      });
      const { page, next } = pageByOffset(all, input.nextToken, 100);
      return { projects: page.map((p) => p.name), nextToken: next };
    },
  };
}
