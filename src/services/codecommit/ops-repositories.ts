import type { RepositoryNameIdPair } from '../../aws/models/generated/codecommit.js';
import { parseArn } from '../../core/arn.js';
import { uuid } from '../../core/ids.js';
import type { CodeCommit, Ops } from './context.js';
import type { RepositoryRecord } from './store.js';
import { ccError, checkRepositoryName, pageOf } from './validation.js';

const MAX_TAGS = 50;

function checkTags(tags: Record<string, string>): void {
  for (const key of Object.keys(tags)) {
    if (key.toLowerCase().startsWith('aws:')) throw ccError('InvalidSystemTagUsageException', `The tag key ${key} uses the reserved prefix aws:.`);
  }
}

export function repositoryOperations(cc: CodeCommit): Ops {
  const { repos, store, deps } = cc;

  const repoForArn = (arnText: string): RepositoryRecord => {
    const arn = parseArn(arnText);
    if (!arn || arn.service !== 'codecommit' || !arn.resource) throw ccError('InvalidResourceArnException', `The value for the resource ARN is not valid: ${arnText}`);
    return repos.get({ accountId: arn.accountId, region: arn.region }, arn.resource);
  };

  return {
    async CreateRepository(input, ctx) {
      checkRepositoryName(input.repositoryName);
      if (repos.find(ctx, input.repositoryName)) throw ccError('RepositoryNameExistsException', `Repository named ${input.repositoryName} already exists`);
      checkTags(input.tags ?? {});
      const now = deps.clock.now();
      const repo: RepositoryRecord = {
        id: uuid(),
        name: input.repositoryName,
        description: input.repositoryDescription,
        accountId: ctx.accountId,
        region: ctx.region,
        creationDate: now,
        lastModifiedDate: now,
        kmsKeyId: input.kmsKeyId,
        tags: { ...(input.tags ?? {}) },
        triggers: [],
        triggersConfigurationId: uuid(),
      };
      try {
        await repos.init(repo);
      } catch (e) {
        await repos.remove(repo);
        throw e;
      }
      repos.save(repo);
      return { repositoryMetadata: repos.metadata(repo, ctx.host) };
    },

    async GetRepository(input, ctx) {
      return { repositoryMetadata: repos.metadata(repos.get(ctx, input.repositoryName), ctx.host) };
    },

    async BatchGetRepositories(input, ctx) {
      if (input.repositoryNames.length > 100) throw ccError('MaximumRepositoryNamesExceededException', 'The maximum number of allowed repository names was exceeded. Currently, this number is 100.');
      const found = input.repositoryNames.map((n) => repos.find(ctx, n));
      const missing = input.repositoryNames.filter((_n, i) => !found[i]);
      return {
        repositories: found.filter((r) => r !== undefined).map((r) => repos.metadata(r, ctx.host)),
        repositoriesNotFound: missing,
        errors: missing.map((n) => ({ repositoryName: n, errorCode: 'RepositoryDoesNotExistException' as const, errorMessage: `${n} does not exist` })),
      };
    },

    async ListRepositories(input, ctx) {
      const all = store.repositories.list(ctx);
      if (input.sortBy === 'lastModifiedDate') all.sort((a, b) => a.lastModifiedDate - b.lastModifiedDate || a.name.localeCompare(b.name));
      else all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (input.order === 'descending') all.reverse();
      const page = pageOf(all, input.nextToken, 1000, 'InvalidContinuationTokenException');
      const repositories: RepositoryNameIdPair[] = page.items.map((r) => ({ repositoryName: r.name, repositoryId: r.id }));
      return { repositories, nextToken: page.next };
    },

    async UpdateRepositoryDescription(input, ctx) {
      const repo = repos.get(ctx, input.repositoryName);
      repos.save({ ...repo, description: input.repositoryDescription, lastModifiedDate: deps.clock.now() });
      return {};
    },

    async UpdateRepositoryName(input, ctx) {
      checkRepositoryName(input.newName);
      const repo = repos.get(ctx, input.oldName);
      if (input.newName === input.oldName) return {};
      if (repos.find(ctx, input.newName)) throw ccError('RepositoryNameExistsException', `Repository named ${input.newName} already exists`);
      store.transaction(() => {
        store.repositories.delete(ctx, repo.name);
        repos.save({ ...repo, name: input.newName, lastModifiedDate: deps.clock.now() });
      });
      return {};
    },

    async DeleteRepository(input, ctx) {
      const repo = repos.find(ctx, input.repositoryName);
      if (!repo) return {};
      await cc.refs.withLock(repo.id, async () => {
        store.transaction(() => {
          store.repositories.delete(ctx, repo.name);
          store.dropKnownRefs(repo.id);
          for (const t of store.templates.list(ctx)) {
            if (t.repositoryIds.includes(repo.id)) store.templates.put(ctx, t.name, { ...t, repositoryIds: t.repositoryIds.filter((id) => id !== repo.id) });
          }
        });
        await repos.remove(repo);
      });
      return { repositoryId: repo.id };
    },

    async TagResource(input) {
      const repo = repoForArn(input.resourceArn);
      checkTags(input.tags);
      const tags = { ...repo.tags, ...input.tags };
      if (Object.keys(tags).length > MAX_TAGS) throw ccError('TooManyTagsException', `The maximum number of tags for a repository has been exceeded. A repository can have up to ${MAX_TAGS} tags.`);
      repos.save({ ...repo, tags });
      return {};
    },

    async UntagResource(input) {
      const repo = repoForArn(input.resourceArn);
      const tags = { ...repo.tags };
      for (const key of input.tagKeys) delete tags[key];
      repos.save({ ...repo, tags });
      return {};
    },

    async ListTagsForResource(input) {
      if (input.nextToken) throw ccError('InvalidContinuationTokenException', 'The specified continuation token is not valid.');
      return { tags: { ...repoForArn(input.resourceArn).tags } };
    },
  };
}
