import type { GitPullRequestFilter, GitPushFilter } from '../../aws/models/generated/codepipeline.js';

/**
 * A trigger glob as AWS documents them: `*` matches any characters but `/`, `**` any
 * characters including `/`, `?` exactly one character; `\` escapes the next character.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) out += escape(glob[++i]);
    else if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else out += '.*';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Whether `value` passes an include/exclude pair (excludes win; no includes means everything). */
export function passes(value: string, criteria: { includes?: string[]; excludes?: string[] } | undefined): boolean {
  if (!criteria) return true;
  if ((criteria.excludes ?? []).some((g) => globToRegExp(g).test(value))) return false;
  const includes = criteria.includes ?? [];
  return !includes.length || includes.some((g) => globToRegExp(g).test(value));
}

export interface PushedRef {
  type: 'branch' | 'tag';
  name: string;
  /** Files the push changed; undefined when they are not known (every file filter then matches). */
  files?: string[];
}

/** Whether a push filter fires for a pushed branch or tag. */
export function pushMatches(filter: GitPushFilter, ref: PushedRef): boolean {
  if (ref.type === 'tag') return filter.tags !== undefined && passes(ref.name, filter.tags);
  if (filter.tags && !filter.branches) return false;
  if (!passes(ref.name, filter.branches)) return false;
  if (!filter.filePaths) return true;
  if (!ref.files) return true;
  return ref.files.some((f) => passes(f, filter.filePaths));
}

export type PullRequestEventType = 'OPEN' | 'UPDATED' | 'CLOSED';

export interface PullRequestChange {
  event: PullRequestEventType;
  /** The branch the pull request would merge into (the "target branch" AWS filters on). */
  destinationBranch: string;
  /** Files the pull request changes; undefined when they are not known. */
  files?: string[];
}

/** Whether a pull-request filter fires: its events (all when absent), destination branches and file paths. */
export function pullRequestMatches(filter: GitPullRequestFilter, pr: PullRequestChange): boolean {
  if (filter.events && !filter.events.includes(pr.event)) return false;
  if (!passes(pr.destinationBranch, filter.branches)) return false;
  if (!filter.filePaths || !pr.files) return true;
  return pr.files.some((f) => passes(f, filter.filePaths));
}
