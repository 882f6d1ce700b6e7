import type { ConflictMetadata, MergeHunk, MergeHunkDetail } from '../../aws/models/generated/codecommit.js';
import { diff3, splitLines, type Chunk, type Range } from './diff3.js';
import { entriesAt, type MergePlan } from './merge.js';
import { fileModeOf, readBlob, type TreeEntry } from './objects.js';

type ObjectType = 'FILE' | 'DIRECTORY' | 'GIT_LINK' | 'SYMBOLIC_LINK';

function objectType(e: TreeEntry | undefined): ObjectType | undefined {
  if (!e) return undefined;
  if (e.type === 'tree') return 'DIRECTORY';
  if (e.type === 'commit') return 'GIT_LINK';
  return e.mode === '120000' ? 'SYMBOLIC_LINK' : 'FILE';
}

function operation(base: TreeEntry | undefined, side: TreeEntry | undefined): 'A' | 'M' | 'D' | undefined {
  if (!base && side) return 'A';
  if (base && !side) return 'D';
  if (base && side && (base.oid !== side.oid || base.mode !== side.mode)) return 'M';
  return undefined;
}

const isBinary = (b: Buffer | undefined) => (b ? b.subarray(0, 8000).includes(0) : undefined);

interface Versions {
  base?: TreeEntry;
  source?: TreeEntry;
  destination?: TreeEntry;
  texts: { base?: Buffer; source?: Buffer; destination?: Buffer };
}

async function versions(dir: string, plan: MergePlan, path: string): Promise<Versions> {
  const [base, source, destination] = await Promise.all([plan.base, plan.source, plan.destination].map(async (c) => (await entriesAt(dir, c, [path])).get(path)));
  const read = (e: TreeEntry | undefined) => (e?.type === 'blob' ? readBlob(dir, e.oid) : Promise.resolve(undefined));
  const [b, s, d] = await Promise.all([read(base), read(source), read(destination)]);
  return { base, source, destination, texts: { base: b, source: s, destination: d } };
}

function chunksOf(v: Versions): Chunk[] {
  const lines = (b: Buffer | undefined) => splitLines(b?.toString('utf8') ?? '');
  return diff3(lines(v.texts.base), lines(v.texts.source), lines(v.texts.destination)).filter((c) => c.changed);
}

/** What the API says about one conflicting file: sizes, modes, types, and what each side did. */
export async function conflictMetadata(dir: string, plan: MergePlan, path: string): Promise<ConflictMetadata> {
  const v = await versions(dir, plan, path);
  const types = { source: objectType(v.source), destination: objectType(v.destination), base: objectType(v.base) };
  const modes = { source: v.source && fileModeOf(v.source.mode), destination: v.destination && fileModeOf(v.destination.mode), base: v.base && fileModeOf(v.base.mode) };
  const bothBlobs = v.source?.type === 'blob' && v.destination?.type === 'blob';
  const contentConflict = bothBlobs && v.source!.oid !== v.destination!.oid && v.source!.oid !== v.base?.oid && v.destination!.oid !== v.base?.oid;
  const fileModeConflict = bothBlobs && modes.source !== modes.destination && modes.source !== modes.base && modes.destination !== modes.base;
  const binary = { source: isBinary(v.texts.source), destination: isBinary(v.texts.destination), base: isBinary(v.texts.base) };
  const textual = bothBlobs && !binary.source && !binary.destination;
  return {
    filePath: path,
    fileSizes: { source: v.source?.size, destination: v.destination?.size, base: v.base?.size },
    fileModes: modes,
    objectTypes: types,
    numberOfConflicts: textual ? Math.max(1, chunksOf(v).filter((c) => c.isConflict).length) : 1,
    isBinaryFile: binary,
    contentConflict,
    fileModeConflict,
    objectTypeConflict: types.source !== undefined && types.destination !== undefined && types.source !== types.destination,
    mergeOperations: { source: operation(v.base, v.source), destination: operation(v.base, v.destination) },
  };
}

function detail(lines: string[], r: Range): MergeHunkDetail {
  return { startLine: r.start + 1, endLine: Math.max(r.end, r.start + 1), hunkContent: lines.slice(r.start, r.end).join('') };
}

/** The changed regions of a conflicting file, as DescribeMergeConflicts lists them. */
export async function mergeHunks(dir: string, plan: MergePlan, path: string): Promise<MergeHunk[]> {
  const v = await versions(dir, plan, path);
  if (isBinary(v.texts.source) || isBinary(v.texts.destination)) return [];
  const text = (b: Buffer | undefined) => splitLines(b?.toString('utf8') ?? '');
  const [base, source, destination] = [text(v.texts.base), text(v.texts.source), text(v.texts.destination)];
  return chunksOf(v).map((c) => ({
    isConflict: c.isConflict,
    source: detail(source, c.source),
    destination: detail(destination, c.destination),
    base: detail(base, c.base),
  }));
}
