import { createHash } from 'node:crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { invalidParameter } from './names.js';

/** What Lambda reports about a deployment package. */
export interface PackageInfo {
  sha256: string;
  size: number;
}

const UNZIP_ERROR = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

/** CodeSha256 (base64 SHA-256 of the package) and CodeSize; refuses bytes that are not a safe zip. */
export async function inspectPackage(bytes: Buffer): Promise<PackageInfo> {
  const entries = await listEntries(bytes).catch(() => {
    throw invalidParameter(UNZIP_ERROR);
  });
  const bad = entries.find((e) => !safeName(e.fileName));
  if (bad) throw invalidParameter(`${UNZIP_ERROR} The entry ${bad.fileName} points outside the package.`);
  return { sha256: createHash('sha256').update(bytes).digest('base64'), size: bytes.length };
}

function safeName(name: string): boolean {
  if (isAbsolute(name) || name.includes('\0')) return false;
  const n = posix.normalize(name.replace(/\\/g, '/'));
  return n !== '..' && !n.startsWith('../');
}

function openZip(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

async function listEntries(bytes: Buffer): Promise<yauzl.Entry[]> {
  const zip = await openZip(bytes);
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/**
 * Unpacks a package into `dest` (a directory named by the code blob's opaque id), once:
 * it is written beside and renamed into place, so a crash never leaves half a tree in use.
 */
export async function unpackPackage(bytes: Buffer, dest: string): Promise<void> {
  if (existsSync(dest)) return;
  const temp = `${dest}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(temp, { recursive: true });
  try {
    const zip = await openZip(bytes);
    for (const entry of await listEntries(bytes)) await writeEntry(zip, entry, temp);
    if (!existsSync(dest)) renameSync(temp, dest);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

async function writeEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, root: string): Promise<void> {
  const name = entry.fileName.replace(/\\/g, '/');
  const target = join(root, name);
  if (name.endsWith('/')) return void mkdirSync(target, { recursive: true });
  mkdirSync(dirname(target), { recursive: true });
  const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
  await pipeline(stream, createWriteStream(target));
  const mode = (entry.externalFileAttributes >>> 16) & 0o777;
  // Zips made without Unix modes (Windows tools) still need a runnable `bootstrap`.
  chmodSync(target, mode & 0o400 ? mode | 0o644 : 0o755);
}
