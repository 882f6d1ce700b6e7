import type { ConflictResolution } from '../../aws/models/generated/codecommit.js';
import { runGit, splitZ, ZERO_OID } from './git.js';
import { mergeBase, MODE_BITS, writeBlob, type TreeEntry } from './objects.js';
import { patchTree } from './tree-edit.js';
import { ccError, normalizePath } from './validation.js';

export type MergeOption = 'FAST_FORWARD_MERGE' | 'SQUASH_MERGE' | 'THREE_WAY_MERGE';
export type DetailLevel = 'FILE_LEVEL' | 'LINE_LEVEL';
export type Strategy = 'NONE' | 'ACCEPT_SOURCE' | 'ACCEPT_DESTINATION' | 'AUTOMERGE';

/** What merging source into destination gives, before any conflict is resolved. */
export interface MergePlan {
  source: string;
  destination: string;
  base?: string;
  /** The destination is an ancestor of the source: a fast-forward is possible. */
  fastForward: boolean;
  /** The source is already contained in the destination. */
  upToDate: boolean;
  /** git's merged tree (conflicted files carry conflict markers). */
  tree: string;
  /** Paths git could not merge line by line. */
  lineConflicts: string[];
  /** Paths changed on both sides (what FILE_LEVEL detail counts as conflicts), when asked for. */
  fileConflicts: string[];
}

async function changedPaths(dir: string, from: string, to: string): Promise<Map<string, string>> {
  const { stdout } = await runGit(dir, ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', from, to]);
  const parts = splitZ(stdout);
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [, newMode, , newOid] = parts[i].slice(1).split(' ');
    out.set(parts[i + 1], `${newMode} ${newOid}`);
  }
  return out;
}

/**
 * Runs git's merge (merge-tree --write-tree) of two commits without touching any ref. Paths
 * changed on both sides are only worked out when FILE_LEVEL detail asks for them.
 */
export async function planMerge(dir: string, source: string, destination: string, detail: DetailLevel = 'LINE_LEVEL'): Promise<MergePlan> {
  const base = await mergeBase(dir, source, destination);
  const { stdout, code } = await runGit(dir, ['merge-tree', '--write-tree', '--no-messages', '-z', '--allow-unrelated-histories', destination, source], { okCodes: [1] });
  const records = splitZ(stdout);
  const lineConflicts = new Set<string>();
  if (code === 1) {
    for (const rec of records.slice(1)) {
      if (rec === '') break;
      lineConflicts.add(rec.slice(rec.indexOf('\t') + 1));
    }
  }
  const fileConflicts = new Set(lineConflicts);
  if (base && detail === 'FILE_LEVEL') {
    const [bySource, byDest] = await Promise.all([changedPaths(dir, base, source), changedPaths(dir, base, destination)]);
    for (const [path, result] of bySource) if (byDest.has(path) && byDest.get(path) !== result) fileConflicts.add(path);
  }
  return {
    source,
    destination,
    base,
    // With one merge base, it is the destination exactly when the destination is an ancestor.
    fastForward: base === destination,
    upToDate: base === source,
    tree: records[0],
    lineConflicts: [...lineConflicts].sort(),
    fileConflicts: [...fileConflicts].sort(),
  };
}

/** The conflicts that need resolving at a detail level, after the strategy's own resolution. */
export function openConflicts(plan: MergePlan, detail: DetailLevel = 'LINE_LEVEL', strategy: Strategy = 'NONE'): string[] {
  if (strategy === 'ACCEPT_SOURCE' || strategy === 'ACCEPT_DESTINATION') return [];
  if (strategy === 'AUTOMERGE') return plan.lineConflicts;
  return detail === 'FILE_LEVEL' ? plan.fileConflicts : plan.lineConflicts;
}

export function manualMergeRequired(): Error {
  return ccError('ManualMergeRequiredException', 'The pull request cannot be merged automatically into the destination branch. You must manually merge the branches and resolve any conflicts.');
}

/** Entries of `paths` in a commit (absent paths are missing from the map). */
export async function entriesAt(dir: string, commit: string | undefined, paths: string[]): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  if (!commit || !paths.length) return out;
  const { stdout } = await runGit(dir, ['ls-tree', '-z', '-l', '--full-tree', commit, '--', ...paths]);
  for (const rec of splitZ(stdout)) {
    const tab = rec.indexOf('\t');
    const [mode, type, oid, size] = rec.slice(0, tab).split(/ +/);
    out.set(rec.slice(tab + 1), { mode, type: type as TreeEntry['type'], oid, size: size === '-' ? undefined : Number(size), path: rec.slice(tab + 1) });
  }
  return out;
}

const setLine = (e: TreeEntry) => `${e.mode} ${e.oid}\t${e.path}`;
const removeLine = (path: string) => `0 ${ZERO_OID}\t${path}`;

export interface ResolveOptions {
  detail?: DetailLevel;
  strategy?: Strategy;
  resolution?: ConflictResolution;
}

/**
 * The tree of the merge once every conflict is resolved: by the strategy (accept source or
 * destination) or by the caller's explicit resolution entries. Anything left unresolved is
 * AWS's ManualMergeRequiredException.
 */
export async function resolvedTree(dir: string, tmpDir: string, plan: MergePlan, o: ResolveOptions): Promise<string> {
  const strategy = o.strategy ?? 'NONE';
  const accepting = strategy === 'ACCEPT_SOURCE' || strategy === 'ACCEPT_DESTINATION';
  const conflicts = accepting ? (o.detail === 'FILE_LEVEL' ? plan.fileConflicts : plan.lineConflicts) : openConflicts(plan, o.detail, strategy);
  const r = o.resolution ?? {};
  const lines: string[] = [];
  const handled = new Set<string>();
  const claim = (path: string) => {
    if (handled.has(path)) throw ccError('MultipleConflictResolutionEntriesException', `More than one conflict resolution entry exists for the same file: ${path}`);
    handled.add(path);
  };
  const [src, dst, base] = await Promise.all([plan.source, plan.destination, plan.base].map((c) => entriesAt(dir, c, [...plan.fileConflicts, ...(r.replaceContents ?? []).map((x) => normalizePath(x.filePath))])));
  for (const entry of r.replaceContents ?? []) {
    const path = normalizePath(entry.filePath);
    claim(path);
    lines.push(...(await replacement(dir, path, entry, { src, dst, base })));
  }
  for (const d of r.deleteFiles ?? []) {
    const path = normalizePath(d.filePath);
    claim(path);
    lines.push(removeLine(path));
  }
  if (accepting) {
    const side = strategy === 'ACCEPT_SOURCE' ? src : dst;
    for (const path of conflicts) if (!handled.has(path)) lines.push(side.has(path) ? setLine(side.get(path)!) : removeLine(path));
  } else {
    const left = conflicts.filter((p) => !handled.has(p));
    if (left.length) throw manualMergeRequired();
  }
  const modes = r.setFileModes ?? [];
  if (!lines.length && !modes.length) return plan.tree;
  let tree = await patchTree(dir, tmpDir, plan.tree, lines);
  if (modes.length) {
    const now = await entriesAt(dir, tree, modes.map((m) => normalizePath(m.filePath)));
    const modeLines = modes.map((m) => {
      const e = now.get(normalizePath(m.filePath));
      if (!e) throw ccError('FileDoesNotExistException', `The specified file does not exist: ${m.filePath}`);
      return setLine({ ...e, mode: MODE_BITS[m.fileMode] });
    });
    tree = await patchTree(dir, tmpDir, tree, modeLines);
  }
  return tree;
}

async function replacement(
  dir: string,
  path: string,
  entry: NonNullable<ConflictResolution['replaceContents']>[number],
  sides: { src: Map<string, TreeEntry>; dst: Map<string, TreeEntry>; base: Map<string, TreeEntry> },
): Promise<string[]> {
  if (!entry.replacementType) throw ccError('ReplacementTypeRequiredException', 'A replacement type is required.');
  if (entry.replacementType === 'USE_NEW_CONTENT') {
    if (entry.content === undefined) throw ccError('ReplacementContentRequiredException', `USE_NEW_CONTENT was specified, but no replacement content has been provided for ${path}.`);
    const oid = await writeBlob(dir, entry.content);
    return [`${MODE_BITS[entry.fileMode ?? 'NORMAL']} ${oid}\t${path}`];
  }
  if (entry.content !== undefined) throw ccError('InvalidReplacementContentException', `Replacement content can only be given with USE_NEW_CONTENT (${path}).`);
  const side = entry.replacementType === 'KEEP_BASE' ? sides.base : entry.replacementType === 'KEEP_SOURCE' ? sides.src : sides.dst;
  const e = side.get(path);
  if (!e) return [removeLine(path)];
  return [setLine(entry.fileMode ? { ...e, mode: MODE_BITS[entry.fileMode] } : e)];
}
