import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepositoryMetadata } from '../../aws/models/generated/codecommit.js';
import { DEFAULT_ACCOUNT, type Scope } from '../../core/scope.js';
import { git } from './git.js';
import type { CodeCommitStore, RepositoryRecord } from './store.js';
import { repositoryDoesNotExist } from './validation.js';

/** A repository ARN: arn:aws:codecommit:<region>:<account>:<name>. */
export function repositoryArn(r: Pick<RepositoryRecord, 'region' | 'accountId' | 'name'>): string {
  return `arn:aws:codecommit:${r.region}:${r.accountId}:${r.name}`;
}

/**
 * Repository records and their bare git repositories on disk. A repository's directory is
 * named by its id, never by the user's name, so renames move nothing and names never
 * become paths.
 */
export class Repositories {
  constructor(
    readonly store: CodeCommitStore,
    readonly root: string,
    private readonly defaultRegion: string,
  ) {
    this.ensureRoot();
  }

  ensureRoot(): void {
    mkdirSync(this.root, { recursive: true });
  }

  dir(repo: Pick<RepositoryRecord, 'id'>): string {
    if (!/^[0-9a-f-]{36}$/.test(repo.id)) throw new Error(`not a repository id: ${repo.id}`);
    return join(this.root, `${repo.id}.git`);
  }

  find(scope: Scope, name: string): RepositoryRecord | undefined {
    return this.store.repositories.get(scope, name);
  }

  get(scope: Scope, name: string): RepositoryRecord {
    const repo = this.find(scope, name);
    if (!repo) throw repositoryDoesNotExist(name);
    return repo;
  }

  byId(scope: Scope, id: string): RepositoryRecord | undefined {
    return this.store.repositories.list(scope).find((r) => r.id === id);
  }

  save(repo: RepositoryRecord): void {
    this.store.repositories.put(scope(repo), repo.name, repo);
  }

  /** Creates the bare repository: no template hooks, pushes over HTTP allowed. */
  async init(repo: RepositoryRecord): Promise<void> {
    const dir = this.dir(repo);
    await git(this.root, ['init', '--bare', '--quiet', '--template=', dir]);
    for (const [key, value] of [
      ['http.receivepack', 'true'],
      ['uploadpack.allowFilter', 'true'],
      ['receive.advertisePushOptions', 'false'],
      ['core.logAllRefUpdates', 'false'],
    ]) {
      await git(dir, ['config', key, value]);
    }
  }

  async remove(repo: RepositoryRecord): Promise<void> {
    await rm(this.dir(repo), { recursive: true, force: true });
  }

  /** Points HEAD (what `git clone` checks out) at the default branch. */
  async pointHead(repo: RepositoryRecord, branch: string): Promise<void> {
    await git(this.dir(repo), ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }

  /** Whether this scope is the one the short clone URL /v1/repos/<name> stands for. */
  isDefaultScope(s: Scope): boolean {
    return s.accountId === DEFAULT_ACCOUNT && s.region === this.defaultRegion;
  }

  /** The repository a clone URL path names: /v1/repos/<name> or /v1/repos/<region>/<account>/<name>. */
  resolveUrl(name: string, qualified?: Scope): RepositoryRecord | undefined {
    if (qualified) return this.find(qualified, name);
    const own = this.find({ accountId: DEFAULT_ACCOUNT, region: this.defaultRegion }, name);
    if (own) return own;
    // A repository made in another region or account is still found by its name when unique.
    const matches = this.store.repositories.all().filter((r) => r.value.name === name);
    return matches.length === 1 ? matches[0].value : undefined;
  }

  cloneUrl(repo: RepositoryRecord, host: string): string {
    const where = this.isDefaultScope(scope(repo)) ? '' : `${repo.region}/${repo.accountId}/`;
    return `http://${host}/v1/repos/${where}${repo.name}`;
  }

  metadata(repo: RepositoryRecord, host: string): RepositoryMetadata {
    return {
      accountId: repo.accountId,
      repositoryId: repo.id,
      repositoryName: repo.name,
      repositoryDescription: repo.description,
      defaultBranch: repo.defaultBranch,
      lastModifiedDate: new Date(repo.lastModifiedDate),
      creationDate: new Date(repo.creationDate),
      cloneUrlHttp: this.cloneUrl(repo, host),
      cloneUrlSsh: `ssh://git-codecommit.${repo.region}.amazonaws.com/v1/repos/${repo.name}`,
      Arn: repositoryArn(repo),
      kmsKeyId: repo.kmsKeyId,
    };
  }
}

export function scope(repo: Pick<RepositoryRecord, 'accountId' | 'region'>): Scope {
  return { accountId: repo.accountId, region: repo.region };
}
