import type { RequestContext } from '../../aws/gateway/context.js';
import type { Comment, Location } from '../../aws/models/generated/codecommit.js';
import { uuid } from '../../core/ids.js';
import { commitById, repoFor } from './access.js';
import type { CodeCommit, Ops } from './context.js';
import { commentEvent } from './events.js';
import { entryAt } from './objects.js';
import type { PullRequests } from './pull-requests.js';
import { findReaction, REACTIONS } from './reactions.js';
import type { CommentRecord, RepositoryRecord } from './store.js';
import { ccError, normalizePath, pageOf, pageSize } from './validation.js';

const MAX_CONTENT = 10240;

function checkContent(content: string | undefined): string {
  if (!content) throw ccError('CommentContentRequiredException', 'The comment is empty. You must provide some content for a comment. The content cannot be null.');
  if (content.length > MAX_CONTENT) throw ccError('CommentContentSizeLimitExceededException', `The comment is too large. Comments are limited to ${MAX_CONTENT} characters.`);
  return content;
}

export function commentView(c: CommentRecord, callerArn: string): Comment {
  const counts: Record<string, number> = {};
  for (const value of Object.values(c.reactions)) counts[value] = (counts[value] ?? 0) + 1;
  return {
    commentId: c.id,
    content: c.deleted ? '' : c.content,
    inReplyTo: c.inReplyTo,
    creationDate: new Date(c.creationDate),
    lastModifiedDate: new Date(c.lastModifiedDate),
    authorArn: c.authorArn,
    deleted: c.deleted,
    clientRequestToken: c.clientRequestToken,
    callerReactions: c.reactions[callerArn] ? [c.reactions[callerArn]] : [],
    reactionCounts: counts,
  };
}

/** Comments on pull requests and on compared commits, replies, edits and reactions. */
export function commentOperations(cc: CodeCommit, prs: PullRequests): Ops {
  const { store, deps } = cc;

  const getComment = (ctx: RequestContext, id: string | undefined): CommentRecord => {
    if (!id) throw ccError('CommentIdRequiredException', 'The comment ID is missing or null. A comment ID is required.');
    const c = store.comments.get(ctx, id);
    if (!c) throw ccError('CommentDoesNotExistException', `No comment exists with the provided ID: ${id}. Verify that you have used the correct ID, and then try again.`);
    return c;
  };

  /** Checks the compared commits and the location, and finds the blobs the comment is on. */
  const place = async (repo: RepositoryRecord, before: string | undefined, after: string, location: Location | undefined) => {
    const afterId = await commitById(cc, repo, after);
    const beforeId = before ? await commitById(cc, repo, before) : undefined;
    if (beforeId && beforeId === afterId) throw ccError('BeforeCommitIdAndAfterCommitIdAreSameException', 'The before commit ID and the after commit ID are the same, which is not valid. The before commit ID and the after commit ID must be different commit IDs.');
    if (!location) return { beforeId, afterId };
    const path = normalizePath(location.filePath);
    if (location.filePosition !== undefined && location.filePosition < 0) throw ccError('InvalidFilePositionException', `The position is not valid: ${location.filePosition}.`);
    const dir = cc.repos.dir(repo);
    const beforeBlob = beforeId ? await entryAt(dir, beforeId, path) : undefined;
    const afterBlob = await entryAt(dir, afterId, path);
    if (!beforeBlob && !afterBlob) throw ccError('PathDoesNotExistException', `The specified path does not exist: ${location.filePath}`);
    return { beforeId, afterId, location: { ...location, filePath: path }, beforeBlobId: beforeBlob?.oid, afterBlobId: afterBlob?.oid };
  };

  const idempotent = (ctx: RequestContext, token: string | undefined, content: string): CommentRecord | undefined => {
    if (!token) return undefined;
    const earlier = store.comments.list(ctx).find((c) => c.clientRequestToken === token);
    if (earlier && earlier.content !== content) throw ccError('IdempotencyParameterMismatchException', 'The client request token has been used in a previous request with different parameters and cannot be reused.');
    return earlier;
  };

  const emit = (ctx: RequestContext, c: CommentRecord, updated: boolean) => {
    const repo = cc.repos.byId(ctx, c.repositoryId);
    if (!repo) return;
    const kind = c.pullRequestId ? 'PullRequest' : 'Commit';
    const event = `commentOn${kind}${updated ? 'Updated' : 'Created'}`;
    cc.notifier.event(ctx, {
      ...commentEvent(repo, kind, event, { beforeCommitId: c.beforeCommitId, afterCommitId: c.afterCommitId, commentId: c.id, inReplyTo: c.inReplyTo, callerUserArn: ctx.principal.arn, pullRequestId: c.pullRequestId }),
      time: new Date(deps.clock.now()),
    });
  };

  const create = (ctx: RequestContext, fields: Omit<CommentRecord, 'id' | 'creationDate' | 'lastModifiedDate' | 'authorArn' | 'deleted' | 'reactions'>): CommentRecord => {
    const now = deps.clock.now();
    const c: CommentRecord = { ...fields, id: uuid(), creationDate: now, lastModifiedDate: now, authorArn: ctx.principal.arn, deleted: false, reactions: {} };
    store.comments.put(ctx, c.id, c);
    if (c.pullRequestId) {
      const pr = prs.get(ctx, c.pullRequestId);
      pr.lastActivityDate = now;
      prs.save(ctx, pr);
    }
    emit(ctx, c, false);
    return c;
  };

  const post = async (ctx: RequestContext, repo: RepositoryRecord, input: { beforeCommitId?: string; afterCommitId: string; location?: Location; clientRequestToken?: string }, content: string, pullRequestId?: string) => {
    const earlier = idempotent(ctx, input.clientRequestToken, content);
    if (earlier) return earlier;
    const p = await place(repo, input.beforeCommitId, input.afterCommitId, input.location);
    return create(ctx, { content, clientRequestToken: input.clientRequestToken, repositoryId: repo.id, pullRequestId, beforeCommitId: p.beforeId, afterCommitId: p.afterId, ...blobFields(p) });
  };

  const grouped = (ctx: RequestContext, comments: CommentRecord[]) => {
    const groups = new Map<string, CommentRecord[]>();
    for (const c of comments.sort((a, b) => a.creationDate - b.creationDate)) {
      const root = rootOf(ctx, c);
      const key = JSON.stringify([root.beforeCommitId, root.afterCommitId, root.location ?? null]);
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    return [...groups.values()];
  };
  const rootOf = (ctx: RequestContext, c: CommentRecord): CommentRecord => (c.inReplyTo ? rootOf(ctx, store.comments.get(ctx, c.inReplyTo) ?? c) : c);

  return {
    async PostCommentForPullRequest(input, ctx) {
      const pr = prs.get(ctx, input.pullRequestId);
      const repo = prs.checkRepository(ctx, pr, input.repositoryName);
      const content = checkContent(input.content);
      const c = await post(ctx, repo, input, content, pr.id);
      return { repositoryName: repo.name, pullRequestId: pr.id, beforeCommitId: c.beforeCommitId, afterCommitId: c.afterCommitId, beforeBlobId: c.beforeBlobId, afterBlobId: c.afterBlobId, location: c.location, comment: commentView(c, ctx.principal.arn) };
    },

    async PostCommentForComparedCommit(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const content = checkContent(input.content);
      const c = await post(ctx, repo, input, content);
      return { repositoryName: repo.name, beforeCommitId: c.beforeCommitId, afterCommitId: c.afterCommitId, beforeBlobId: c.beforeBlobId, afterBlobId: c.afterBlobId, location: c.location, comment: commentView(c, ctx.principal.arn) };
    },

    async PostCommentReply(input, ctx) {
      const parent = getComment(ctx, input.inReplyTo);
      const content = checkContent(input.content);
      const earlier = idempotent(ctx, input.clientRequestToken, content);
      const c = earlier ?? create(ctx, { content, clientRequestToken: input.clientRequestToken, inReplyTo: parent.id, repositoryId: parent.repositoryId, pullRequestId: parent.pullRequestId, beforeCommitId: parent.beforeCommitId, afterCommitId: parent.afterCommitId, beforeBlobId: parent.beforeBlobId, afterBlobId: parent.afterBlobId, location: parent.location });
      return { comment: commentView(c, ctx.principal.arn) };
    },

    async GetComment(input, ctx) {
      const c = getComment(ctx, input.commentId);
      if (c.deleted) throw ccError('CommentDeletedException', 'This comment has already been deleted. You cannot edit or delete a deleted comment.');
      return { comment: commentView(c, ctx.principal.arn) };
    },

    async UpdateComment(input, ctx) {
      const c = getComment(ctx, input.commentId);
      if (c.deleted) throw ccError('CommentDeletedException', 'This comment has already been deleted. You cannot edit or delete a deleted comment.');
      if (c.authorArn !== ctx.principal.arn) throw ccError('CommentNotCreatedByCallerException', 'You cannot modify or delete this comment. Only comment authors can modify or delete their comments.');
      Object.assign(c, { content: checkContent(input.content), lastModifiedDate: deps.clock.now() });
      store.comments.put(ctx, c.id, c);
      emit(ctx, c, true);
      return { comment: commentView(c, ctx.principal.arn) };
    },

    async DeleteCommentContent(input, ctx) {
      const c = getComment(ctx, input.commentId);
      if (c.deleted) throw ccError('CommentDeletedException', 'This comment has already been deleted. You cannot edit or delete a deleted comment.');
      Object.assign(c, { deleted: true, content: '', lastModifiedDate: deps.clock.now() });
      store.comments.put(ctx, c.id, c);
      return { comment: commentView(c, ctx.principal.arn) };
    },

    async GetCommentsForPullRequest(input, ctx) {
      const pr = prs.get(ctx, input.pullRequestId);
      const repo = input.repositoryName !== undefined ? prs.checkRepository(ctx, pr, input.repositoryName) : prs.repoOf(ctx, pr);
      const mine = store.comments.list(ctx).filter((c) => c.pullRequestId === pr.id && (!input.beforeCommitId || c.beforeCommitId === input.beforeCommitId) && (!input.afterCommitId || c.afterCommitId === input.afterCommitId));
      const page = pageOf(grouped(ctx, mine), input.nextToken, pageSize(input.maxResults, 100, 100));
      return {
        commentsForPullRequestData: page.items.map((g) => ({ pullRequestId: pr.id, repositoryName: repo?.name, ...placeOf(g[0]), comments: g.map((c) => commentView(c, ctx.principal.arn)) })),
        nextToken: page.next,
      };
    },

    async GetCommentsForComparedCommit(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const mine = store.comments.list(ctx).filter((c) => c.repositoryId === repo.id && !c.pullRequestId && c.afterCommitId === input.afterCommitId && (!input.beforeCommitId || c.beforeCommitId === input.beforeCommitId));
      const page = pageOf(grouped(ctx, mine), input.nextToken, pageSize(input.maxResults, 100, 100));
      return { commentsForComparedCommitData: page.items.map((g) => ({ repositoryName: repo.name, ...placeOf(g[0]), comments: g.map((c) => commentView(c, ctx.principal.arn)) })), nextToken: page.next };
    },

    async PutCommentReaction(input, ctx) {
      const c = getComment(ctx, input.commentId);
      if (c.deleted) throw ccError('CommentDeletedException', 'This comment has already been deleted. You cannot edit or delete a deleted comment.');
      if (!input.reactionValue) throw ccError('ReactionValueRequiredException', 'A reaction value is required.');
      const reaction = findReaction(input.reactionValue);
      if (!reaction) throw ccError('InvalidReactionValueException', `The value of the reaction is not valid: ${input.reactionValue}. For more information, see the CodeCommit User Guide.`);
      c.reactions[ctx.principal.arn] = reaction.shortCode;
      store.comments.put(ctx, c.id, c);
      return {};
    },

    async GetCommentReactions(input, ctx) {
      const c = getComment(ctx, input.commentId);
      const users = Object.entries(c.reactions).filter(([user]) => !input.reactionUserArn || user === input.reactionUserArn);
      const byReaction = REACTIONS.map((r) => ({ reaction: { ...r }, reactionUsers: users.filter(([, v]) => v === r.shortCode).map(([u]) => u), reactionsFromDeletedUsersCount: 0 })).filter((x) => x.reactionUsers.length);
      const page = pageOf(byReaction, input.nextToken, pageSize(input.maxResults, 100, 100));
      return { reactionsForComment: page.items, nextToken: page.next };
    },
  };
}

function blobFields(p: { location?: Location; beforeBlobId?: string; afterBlobId?: string }) {
  return { location: p.location, beforeBlobId: p.beforeBlobId, afterBlobId: p.afterBlobId };
}

function placeOf(c: CommentRecord) {
  return { beforeCommitId: c.beforeCommitId, afterCommitId: c.afterCommitId, beforeBlobId: c.beforeBlobId, afterBlobId: c.afterBlobId, location: c.location };
}
