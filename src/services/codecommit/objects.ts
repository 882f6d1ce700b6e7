import type { Commit, UserInfo } from '../../aws/models/generated/codecommit.js';
import { git, GitError, runGit, splitZ } from './git.js';

export type FileMode = 'NORMAL' | 'EXECUTABLE' | 'SYMLINK';

/** Git's octal modes for the file modes the API speaks. */
export const MODE_BITS: Record<FileMode, string> = { NORMAL: '100644', EXECUTABLE: '100755', SYMLINK: '120000' };

export function fileModeOf(bits: string): FileMode | undefined {
  if (bits === '100644' || bits === '100664') return 'NORMAL';
  if (bits === '100755') return 'EXECUTABLE';
  if (bits === '120000') return 'SYMLINK';
  return undefined;
}

/** One entry of a tree listing. */
export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
  /** Blob size in bytes; absent for trees and submodules. */
  size?: number;
  path: string;
}

/** Anything git would read as an option or revision syntax is not a commit specifier. */
const SPECIFIER = /^(?!-)[^\s~^:?*[\\\0]+$/;

/** The commit a specifier (full or short id, branch, tag, refs/...) names, or undefined. */
export async function resolveCommit(dir: string, specifier: string): Promise<string | undefined> {
  if (!SPECIFIER.test(specifier) || specifier.includes('..') || specifier.includes('@{')) return undefined;
  try {
    const { stdout } = await runGit(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${specifier}^{commit}`], { okCodes: [1] });
    const oid = stdout.toString().trim();
    return /^[0-9a-f]{40}$/.test(oid) ? oid : undefined;
  } catch (e) {
    if (e instanceof GitError) return undefined;
    throw e;
  }
}

/** The type of an object id, or undefined when the repository does not have it. */
export async function objectType(dir: string, oid: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{4,40}$/.test(oid)) return undefined;
  const { stdout } = await runGit(dir, ['cat-file', '-t', oid], { okCodes: [128, 1] });
  const type = stdout.toString().trim();
  return type || undefined;
}

function parseIdent(line: string): UserInfo {
  const m = /^(.*) <(.*)> (\d+ [+-]\d{4})$/.exec(line);
  return m ? { name: m[1], email: m[2], date: m[3] } : { name: line };
}

/** A commit as the CodeCommit API shows it (dates in git's "seconds zone" form). */
export async function readCommit(dir: string, oid: string): Promise<Commit> {
  const raw = (await runGit(dir, ['cat-file', 'commit', oid])).stdout.toString('utf8');
  const split = raw.indexOf('\n\n');
  const header = split < 0 ? raw : raw.slice(0, split);
  const message = split < 0 ? '' : raw.slice(split + 2);
  const commit: Commit = { commitId: oid, parents: [], message, additionalData: '' };
  for (const line of header.split('\n')) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') commit.treeId = value;
    else if (key === 'parent') commit.parents!.push(value);
    else if (key === 'author') commit.author = parseIdent(value);
    else if (key === 'committer') commit.committer = parseIdent(value);
  }
  return commit;
}

/** The tree id of a commit. */
export async function treeOf(dir: string, commit: string): Promise<string> {
  return git(dir, ['rev-parse', '--verify', `${commit}^{tree}`]);
}

function parseLsTree(out: Buffer, long: boolean): TreeEntry[] {
  return splitZ(out).map((rec) => {
    const tab = rec.indexOf('\t');
    const meta = rec.slice(0, tab).split(/ +/);
    const entry: TreeEntry = { mode: meta[0], type: meta[1] as TreeEntry['type'], oid: meta[2], path: rec.slice(tab + 1) };
    if (long && meta[3] !== '-') entry.size = Number(meta[3]);
    return entry;
  });
}

/** Every file (blob or submodule) under a tree-ish, recursively, with full paths. */
export async function listFiles(dir: string, treeish: string): Promise<TreeEntry[]> {
  const { stdout } = await runGit(dir, ['ls-tree', '-r', '-z', '--full-tree', treeish]);
  return parseLsTree(stdout, false);
}

/** The entry at `path` in a tree-ish ('' is the root tree), or undefined. */
export async function entryAt(dir: string, treeish: string, path: string): Promise<TreeEntry | undefined> {
  if (path === '') return { mode: '040000', type: 'tree', oid: await git(dir, ['rev-parse', '--verify', `${treeish}^{tree}`]), path: '' };
  const { stdout } = await runGit(dir, ['ls-tree', '-z', '-l', '--full-tree', treeish, '--', path]);
  return parseLsTree(stdout, true).find((e) => e.path === path);
}

/** The direct children of the folder at `path` (an entry whose type is tree). */
export async function listFolder(dir: string, treeOid: string): Promise<TreeEntry[]> {
  const { stdout } = await runGit(dir, ['ls-tree', '-z', '-l', treeOid]);
  return parseLsTree(stdout, true);
}

export async function readBlob(dir: string, oid: string): Promise<Buffer> {
  return (await runGit(dir, ['cat-file', 'blob', oid])).stdout;
}

/** Writes bytes as a blob and returns its id. */
export async function writeBlob(dir: string, content: Uint8Array): Promise<string> {
  return git(dir, ['hash-object', '-w', '--stdin'], { input: Buffer.from(content) });
}

export async function isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
  const { code } = await runGit(dir, ['merge-base', '--is-ancestor', ancestor, descendant], { okCodes: [1] });
  return code === 0;
}

export async function mergeBase(dir: string, a: string, b: string): Promise<string | undefined> {
  const { stdout, code } = await runGit(dir, ['merge-base', a, b], { okCodes: [1] });
  return code === 0 ? stdout.toString().trim() : undefined;
}

/** Branch and tag tips: full ref name -> commit (annotated tags peeled to their commit). */
export async function listRefs(dir: string): Promise<Map<string, string>> {
  const out = await git(dir, ['for-each-ref', '--format=%(objectname) %(*objectname) %(refname)', 'refs/heads', 'refs/tags']);
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [oid, peeled, ref] = line.split(' ');
    if (ref) refs.set(ref, peeled || oid);
  }
  return refs;
}

/** Creates or moves a ref only if it still points at `expected` (ZERO_OID: must not exist). */
export async function compareAndSwapRef(dir: string, ref: string, value: string, expected: string): Promise<boolean> {
  try {
    await runGit(dir, ['update-ref', ref, value, expected]);
    return true;
  } catch (e) {
    if (e instanceof GitError) return false;
    throw e;
  }
}

/** Deletes a ref only if it still points at `expected`. */
export async function deleteRef(dir: string, ref: string, expected: string): Promise<boolean> {
  try {
    await runGit(dir, ['update-ref', '-d', ref, expected]);
    return true;
  } catch (e) {
    if (e instanceof GitError) return false;
    throw e;
  }
}
