import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileMetadata } from '../../aws/models/generated/codecommit.js';
import { uuid } from '../../core/ids.js';
import { git, runGit, ZERO_OID } from './git.js';
import { fileModeOf, listFiles, MODE_BITS, writeBlob, type FileMode } from './objects.js';
import { ccError, normalizePath } from './validation.js';

export interface PutEntry {
  path: string;
  content?: Uint8Array;
  source?: { path: string; isMove: boolean };
  mode?: FileMode;
}

export interface TreeChanges {
  puts: PutEntry[];
  deletes: string[];
  modes: { path: string; mode: FileMode }[];
  keepEmptyFolders: boolean;
}

export interface TreeEdit {
  treeId: string;
  /** Whether the tree differs from the base's. */
  changed: boolean;
  added: FileMetadata[];
  updated: FileMetadata[];
  deleted: FileMetadata[];
}

interface FileState {
  mode: string;
  oid: string;
}

const MAX_ENTRIES = 100;

/** Rejects change lists AWS rejects before looking at the repository. */
function checkEntries(c: TreeChanges): void {
  const total = c.puts.length + c.deletes.length + c.modes.length;
  if (total === 0) throw ccError('FileEntryRequiredException', 'The commit cannot be created because no files have been specified as added, updated, or changed (PutFile or DeleteFile) for the commit.');
  if (total > MAX_ENTRIES) throw ccError('MaximumFileEntriesExceededException', `The number of specified files to change as part of this commit exceeds the maximum number of files that can be changed in a single commit (${MAX_ENTRIES}).`);
  const seen = new Set<string>();
  const claim = (path: string) => {
    if (seen.has(path)) throw ccError('SamePathRequestException', `The commit cannot be created because more than one change in this commit affects the same file path: ${path}.`);
    seen.add(path);
  };
  for (const p of c.puts) {
    if (p.content !== undefined && p.source) throw ccError('FileContentAndSourceFileSpecifiedException', `The commit cannot be created because both a source file and file content have been specified for the same file: ${p.path}.`);
    if (p.content === undefined && !p.source) throw ccError('SourceFileOrContentRequiredException', `The commit cannot be created because no source files or file content have been specified for the commit: ${p.path}.`);
    claim(p.path);
    if (p.source?.isMove) claim(p.source.path);
  }
  for (const d of c.deletes) claim(d);
  for (const m of c.modes) claim(m.path);
}

function missingFile(path: string) {
  return ccError('FileDoesNotExistException', `The specified file does not exist: ${path}`);
}

/** Normalizes every path of a change list (no path may leave the repository). */
export function normalizeChanges(c: TreeChanges): TreeChanges {
  return {
    puts: c.puts.map((p) => ({ ...p, path: normalizePath(p.path), source: p.source && { ...p.source, path: normalizePath(p.source.path) } })),
    deletes: c.deletes.map((d) => normalizePath(d)),
    modes: c.modes.map((m) => ({ ...m, path: normalizePath(m.path) })),
    keepEmptyFolders: c.keepEmptyFolders,
  };
}

function meta(path: string, s: FileState): FileMetadata {
  return { absolutePath: path, blobId: s.oid, fileMode: fileModeOf(s.mode) };
}

/** Applies the puts, deletes and mode changes to a file map, recording what each did. */
async function apply(dir: string, files: Map<string, FileState>, c: TreeChanges, out: TreeEdit): Promise<Set<string>> {
  const removed = new Set<string>();
  for (const path of c.deletes) {
    const old = files.get(path);
    if (!old) throw missingFile(path);
    files.delete(path);
    removed.add(path);
    out.deleted.push(meta(path, old));
  }
  for (const put of c.puts) {
    let state: FileState;
    if (put.source) {
      const src = files.get(put.source.path);
      if (!src) throw missingFile(put.source.path);
      if (put.source.path === put.path) throw ccError('RestrictedSourceFileException', `The source file and the destination are the same file: ${put.path}.`);
      state = { mode: put.mode ? MODE_BITS[put.mode] : src.mode, oid: src.oid };
      if (put.source.isMove) {
        files.delete(put.source.path);
        removed.add(put.source.path);
        out.deleted.push(meta(put.source.path, src));
      }
    } else {
      const oid = await writeBlob(dir, put.content!);
      state = { mode: MODE_BITS[put.mode ?? 'NORMAL'], oid };
      if (!put.mode && files.get(put.path)) state.mode = files.get(put.path)!.mode;
    }
    const old = files.get(put.path);
    files.set(put.path, state);
    if (!old) out.added.push(meta(put.path, state));
    else if (old.oid !== state.oid || old.mode !== state.mode) out.updated.push(meta(put.path, state));
  }
  for (const m of c.modes) {
    const old = files.get(m.path);
    if (!old) throw missingFile(m.path);
    const state = { ...old, mode: MODE_BITS[m.mode] };
    files.set(m.path, state);
    if (state.mode !== old.mode) out.updated.push(meta(m.path, state));
  }
  return removed;
}

function parents(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(1).map((_p, i) => parts.slice(0, i + 1).join('/'));
}

/** A file where a folder must be, or the reverse: AWS refuses both. */
function checkShape(files: Map<string, FileState>, touched: string[]): void {
  const dirs = new Set<string>();
  for (const path of files.keys()) for (const d of parents(path)) dirs.add(d);
  for (const path of touched) {
    for (const d of parents(path)) {
      const f = files.get(d);
      if (f?.mode === '160000') throw ccError('FilePathConflictsWithSubmodulePathException', `The file ${path} cannot be added because ${d} is a submodule.`);
      if (f) throw ccError('DirectoryNameConflictsWithFileNameException', `The file ${path} cannot be added because a folder in its path has the same name as the file ${d}.`);
    }
    if (dirs.has(path)) throw ccError('FileNameConflictsWithDirectoryNameException', `The file ${path} cannot be added because a folder with the same name already exists.`);
  }
}

/** Folders left empty by deletes or moves keep a .gitkeep file (git cannot store empty folders). */
function keepFolders(files: Map<string, FileState>, removed: Set<string>, emptyBlob: string): void {
  const live = new Set<string>();
  for (const path of files.keys()) for (const d of parents(path)) live.add(d);
  for (const path of removed) {
    for (const d of parents(path)) if (!live.has(d) && !files.has(`${d}/.gitkeep`)) files.set(`${d}/.gitkeep`, { mode: '100644', oid: emptyBlob });
  }
}

/**
 * Builds the tree that results from applying `changes` to `base` (a commit, or none for
 * an empty repository), with git's own objects: blobs by hash-object, the tree by a
 * throw-away index. Nothing outside the object store is touched.
 */
export async function editTree(dir: string, tmpDir: string, base: string | undefined, raw: TreeChanges): Promise<TreeEdit> {
  checkEntries(raw);
  const changes = normalizeChanges(raw);
  const before = new Map<string, FileState>();
  for (const e of base ? await listFiles(dir, base) : []) before.set(e.path, { mode: e.mode, oid: e.oid });
  const files = new Map(before);
  const out: TreeEdit = { treeId: '', changed: false, added: [], updated: [], deleted: [] };
  const removed = await apply(dir, files, changes, out);
  checkShape(files, [...changes.puts.map((p) => p.path)]);
  if (changes.keepEmptyFolders && removed.size) keepFolders(files, removed, await writeBlob(dir, new Uint8Array()));
  const lines = indexChanges(before, files);
  out.changed = lines.length > 0;
  out.treeId = await patchTree(dir, tmpDir, base, lines);
  return out;
}

/** The index-info lines that turn the `before` file map into `after`. */
function indexChanges(before: Map<string, FileState>, after: Map<string, FileState>): string[] {
  const lines: string[] = [];
  for (const path of before.keys()) if (!after.has(path)) lines.push(`0 ${ZERO_OID}\t${path}`);
  for (const [path, s] of after) {
    const old = before.get(path);
    if (!old || old.oid !== s.oid || old.mode !== s.mode) lines.push(`${s.mode} ${s.oid}\t${path}`);
  }
  return lines;
}

/**
 * Writes a tree that is `treeish` (or empty) with index-info lines applied: "<mode> <oid>\t<path>"
 * sets a path, "0 <zero>\t<path>" removes it. A throw-away index file does the work.
 */
export async function patchTree(dir: string, tmpDir: string, treeish: string | undefined, lines: string[]): Promise<string> {
  const index = join(tmpDir, `index-${uuid()}`);
  const env = { GIT_INDEX_FILE: index };
  try {
    await runGit(dir, treeish ? ['read-tree', treeish] : ['read-tree', '--empty'], { env });
    await runGit(dir, ['update-index', '-z', '--index-info'], { env, input: lines.map((l) => `${l}\0`).join('') });
    return await git(dir, ['write-tree'], { env });
  } finally {
    await rm(index, { force: true });
  }
}
