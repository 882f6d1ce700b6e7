import { createWriteStream, mkdirSync, symlinkSync, chmodSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yauzl from 'yauzl';

/** A bundle that cannot be unpacked safely or at all; the agent fails DownloadBundle with it. */
export class BundleError extends Error {}

/** True when `name` stays inside the archive root once resolved (no `..` escape, not absolute). */
function safeName(name: string): boolean {
  if (isAbsolute(name) || name.includes('\0')) return false;
  const n = posix.normalize(name.replace(/\\/g, '/'));
  return n !== '..' && !n.startsWith('../');
}

function safeLink(entry: string, target: string): boolean {
  if (isAbsolute(target)) return false;
  return safeName(posix.join(posix.dirname(entry), target));
}

/** Writes the bundle bytes to `file`. */
export async function saveBundle(body: Uint8Array | Readable, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await pipeline(body instanceof Readable ? body : Readable.from([body]), createWriteStream(file));
}

/**
 * Unpacks a zip, tar or tgz bundle into `dest`. Every entry is checked before anything is
 * written: one that escapes the archive (`../`, an absolute path, a link pointing out)
 * refuses the whole bundle, so nothing lands outside `dest`.
 */
export async function unpack(file: string, bundleType: string, dest: string): Promise<void> {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  if (bundleType === 'zip') return unzip(file, dest);
  if (bundleType === 'tar' || bundleType === 'tgz') return untar(file, dest);
  throw new BundleError(`The bundle type ${bundleType} is not supported for EC2/On-Premises deployments: use zip, tar or tgz.`);
}

async function untar(file: string, dest: string): Promise<void> {
  const problems: string[] = [];
  try {
    await tar.t({
      file,
      onReadEntry: (e) => {
        if (!safeName(e.path)) problems.push(e.path);
        else if ((e.type === 'SymbolicLink' || e.type === 'Link') && !safeLink(e.path, e.linkpath ?? '')) problems.push(`${e.path} -> ${e.linkpath}`);
      },
    });
  } catch (e) {
    throw new BundleError(`The bundle is not a valid tar archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (problems.length) throw new BundleError(`The bundle was refused: entries point outside the archive: ${problems.slice(0, 5).join(', ')}`);
  await tar.x({ file, cwd: dest, preserveOwner: false, strict: true });
}

interface ZipEntry {
  name: string;
  mode: number;
  entry: yauzl.Entry;
}

async function unzip(file: string, dest: string): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false });
  } catch (e) {
    throw new BundleError(`The bundle is not a valid zip archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const entries = (await readEntries(zip)).map((entry) => ({ name: entry.fileName, mode: (entry.externalFileAttributes >>> 16) & 0xffff, entry }));
    const problems = entries.filter((e) => !safeName(e.name)).map((e) => e.name);
    if (problems.length) throw new BundleError(`The bundle was refused: entries point outside the archive: ${problems.slice(0, 5).join(', ')}`);
    for (const e of entries) await writeEntry(zip, e, dest);
  } finally {
    zip.close();
  }
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => (entries.push(e), zip.readEntry()));
    zip.once('end', () => resolve(entries));
    zip.once('error', (e: Error) => reject(new BundleError(`The bundle is not a valid zip archive: ${e.message}`)));
    zip.readEntry();
  });
}

async function writeEntry(zip: yauzl.ZipFile, e: ZipEntry, dest: string): Promise<void> {
  const target = join(dest, normalize(e.name));
  const type = e.mode & 0o170000;
  if (e.name.endsWith('/') || type === 0o040000) return void mkdirSync(target, { recursive: true });
  mkdirSync(dirname(target), { recursive: true });
  const stream = await zip.openReadStreamPromise(e.entry);
  if (type === 0o120000) {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const link = Buffer.concat(chunks).toString('utf8');
    if (!safeLink(e.name, link)) throw new BundleError(`The bundle was refused: the link ${e.name} points outside the archive (${link}).`);
    return symlinkSync(link, target);
  }
  await pipeline(stream, createWriteStream(target));
  // Zips made on Unix keep the mode; others get the agent's default of 0644.
  chmodSync(target, e.mode & 0o777 ? e.mode & 0o777 : 0o644);
}
