import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { ServiceDeps } from '../service.js';
import { runGit } from './git.js';
import { scope, type Repositories } from './repositories.js';
import type { RepositoryRecord } from './store.js';

interface MaintainJob extends Scope {
  repositoryId: string;
}

/** A pack this large without a reachability bitmap makes every clone walk the whole history. */
const BITMAP_WORTHWHILE = 1024 * 1024;

/** Whether a repository's packs are worth rewriting: several packs, or a big one without a bitmap. */
export function needsRepack(packDir: string): boolean {
  if (!existsSync(packDir)) return false;
  const files = readdirSync(packDir);
  const packs = files.filter((f) => f.endsWith('.pack'));
  if (packs.length > 1) return true;
  if (packs.length === 0 || files.some((f) => f.endsWith('.bitmap'))) return false;
  return statSync(join(packDir, packs[0])).size > BITMAP_WORTHWHILE;
}

/**
 * Background upkeep of pushed-to repositories, as git hosts do: one pack with a reachability
 * bitmap and a commit graph, so that clones and fetches send existing packs instead of
 * walking every object. Runs on the job queue, after the push has been answered.
 */
export class Maintenance {
  private readonly queued = new Set<string>();
  private readonly enqueue: (job: MaintainJob) => void;

  constructor(
    deps: ServiceDeps,
    private readonly repos: Repositories,
  ) {
    this.enqueue = deps.jobs.define<MaintainJob>(
      'codecommit.maintain',
      async (job) => {
        try {
          await this.run(job);
        } finally {
          this.queued.delete(job.repositoryId);
        }
      },
      { concurrency: 1, maxAttempts: 2, onExhausted: (job, e) => deps.log.warn('repository maintenance failed', { repositoryId: job.repositoryId, error: errorMessage(e) }) },
    );
  }

  afterPush(repo: RepositoryRecord): void {
    if (this.queued.has(repo.id) || !needsRepack(join(this.repos.dir(repo), 'objects', 'pack'))) return;
    this.queued.add(repo.id);
    this.enqueue({ ...scope(repo), repositoryId: repo.id });
  }

  private async run(job: MaintainJob): Promise<void> {
    const repo = this.repos.byId(job, job.repositoryId);
    if (!repo || !existsSync(this.repos.dir(repo))) return;
    const dir = this.repos.dir(repo);
    await runGit(dir, ['repack', '-a', '-d', '-q', '--write-bitmap-index']);
    await runGit(dir, ['commit-graph', 'write', '--reachable']);
  }
}
