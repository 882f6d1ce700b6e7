import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync, type ReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';

/**
 * Large bytes (object bodies, artifacts) as files under the data dir, named by opaque ids
 * so that no user-supplied name ever becomes a path. A blob is written to a temporary
 * file and renamed into place when complete: readers never see half a blob.
 */
export class BlobStore {
  private readonly tmp: string;
  /** Fan-out directories known to exist, so a write does not ask the file system each time. */
  private readonly dirs = new Set<string>();

  constructor(readonly root: string) {
    this.tmp = join(root, '.tmp');
    mkdirSync(this.tmp, { recursive: true });
  }

  /** Streams `source` (through optional transforms, e.g. hashing) into a new blob. */
  async write(source: Readable | Buffer, transforms: Transform[] = []): Promise<{ id: string; size: number }> {
    const id = randomUUID();
    const temp = join(this.tmp, id);
    try {
      const out = createWriteStream(temp);
      const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      await pipeline([input, ...transforms, out]);
      const final = this.path(id);
      this.ensureDir(final);
      await rename(temp, final);
      return { id, size: statSync(final).size };
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  private ensureDir(file: string): void {
    const dir = join(file, '..');
    if (this.dirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  path(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not a blob id: ${id}`);
    return join(this.root, id.slice(0, 2), id);
  }

  read(id: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.path(id), range);
  }

  size(id: string): number {
    return statSync(this.path(id)).size;
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  /** Empties the store (POST /_slipway/reset). */
  wipe(): void {
    rmSync(this.root, { recursive: true, force: true });
    this.dirs.clear();
    mkdirSync(this.tmp, { recursive: true });
  }
}

/** Joins user-influenced path segments under `root`, refusing any result outside it. */
export function containedPath(root: string, ...segments: string[]): string {
  const base = resolve(root);
  const full = resolve(base, ...segments);
  if (full !== base && !full.startsWith(base + sep)) throw new Error(`path escapes ${base}: ${segments.join('/')}`);
  if (full.includes('\0')) throw new Error('path contains a NUL byte');
  return full;
}
