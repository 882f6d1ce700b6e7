import { chmod, chown, copyFile, rm } from 'node:fs/promises';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import type { AppSpec, Permission } from './appspec.js';

/** A failure of the Install step, reported with the agent's error code. */
export class InstallError extends Error {}

export const INSTRUCTIONS_DIR = '/opt/codedeploy-agent/deployment-root/deployment-instructions';

/**
 * The host path of `inside` in the instance at `root`. Hooks can leave symlinks in the
 * instance; the deepest existing ancestor is resolved so a link can never lead a write out.
 */
export function hostPath(root: string, inside: string): string {
  const path = join(root, posix.normalize('/' + inside));
  let probe = path;
  while (!existsSync(probe) && probe !== root) probe = dirname(probe);
  const real = realpathSync(probe);
  const realRoot = realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + '/')) throw new InstallError(`The path ${inside} leads outside the instance through a symbolic link.`);
  return path;
}

function cleanupFile(root: string, groupId: string): string {
  return hostPath(root, `${INSTRUCTIONS_DIR}/${groupId}-cleanup`);
}

/** Removes what the group's previous deployment installed (its cleanup file), newest first. */
export async function removePrevious(root: string, groupId: string): Promise<void> {
  const file = cleanupFile(root, groupId);
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse();
  const parse = (line: string) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
  // Files go first, in parallel (the filesystem does the waiting); then directories, deepest first.
  await Promise.all(lines.map(parse).filter(([kind]) => kind === 'file').map(([, inside]) => rm(hostPath(root, inside), { force: true }).catch(() => undefined)));
  for (const [kind, inside] of lines.map(parse)) {
    if (kind !== 'mkdir') continue;
    try {
      rmdirSync(hostPath(root, inside));
    } catch {
      // A directory that still holds other files stays.
    }
  }
  rmSync(file, { force: true });
}

interface Copy {
  from: string;
  to: string;
}

/**
 * Copies the files sections from the unpacked revision into the instance and records each
 * file and created directory in the cleanup file, as the agent does, so the next deployment
 * (or a rollback) removes exactly what this one added.
 */
export async function installFiles(root: string, archive: string, spec: AppSpec, behavior: 'DISALLOW' | 'OVERWRITE' | 'RETAIN', groupId: string): Promise<string[]> {
  const copies: Copy[] = [];
  for (const f of spec.files) {
    const src = join(archive, posix.normalize('/' + f.source));
    if (!existsSync(src)) throw new InstallError(`The specified file or directory ${f.source} does not exist in the revision (files source of ${f.destination}).`);
    if (lstatSync(src).isDirectory()) for (const rel of walk(src)) copies.push({ from: join(src, rel), to: posix.join(f.destination, rel) });
    else copies.push({ from: src, to: posix.join(f.destination, posix.basename(f.source)) });
  }
  const log: string[] = [];
  const pending: Copy[] = [];
  // Each destination directory is checked for links once; the file names come from the archive.
  const checked = new Map<string, string>();
  const resolve = (inside: string) => {
    const dir = posix.dirname(inside);
    let host = checked.get(dir);
    if (host === undefined) checked.set(dir, (host = hostPath(root, dir)));
    return join(host, posix.basename(inside));
  };
  for (const c of copies) {
    const target = resolve(c.to);
    if (existsSync(target) || isLink(target)) {
      if (behavior === 'DISALLOW') throw new InstallError(`The deployment failed because a specified file already exists at this location: ${c.to}`);
      if (behavior === 'RETAIN') continue;
      rmSync(target, { force: true });
    }
    makeDirs(root, posix.dirname(c.to), log);
    if (isLink(c.from)) symlinkSync(readlinkSync(c.from), target);
    else pending.push({ from: c.from, to: target });
    log.push(`file ${c.to}`);
  }
  await Promise.all(pending.map((c) => copyFile(c.from, c.to)));
  mkdirSync(dirname(cleanupFile(root, groupId)), { recursive: true });
  writeFileSync(cleanupFile(root, groupId), log.join('\n') + '\n');
  return log.filter((l) => l.startsWith('file ')).map((l) => l.slice(5));
}

function makeDirs(root: string, inside: string, log: string[]): void {
  if (inside === '/' || existsSync(hostPath(root, inside))) return;
  makeDirs(root, posix.dirname(inside), log);
  mkdirSync(hostPath(root, inside));
  log.push(`mkdir ${inside}`);
}

/** Files (and links) under `dir`, relative, directories descended. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [relative(base, full)];
  });
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Applies the permissions sections: owner, group and mode on what matches pattern, minus except, by type. */
export async function applyPermissions(root: string, permissions: Permission[]): Promise<void> {
  for (const p of permissions) {
    const base = hostPath(root, p.object);
    if (!existsSync(base)) throw new InstallError(`The permissions object ${p.object} does not exist on the instance.`);
    const uid = p.owner === undefined ? -1 : lookupId('/etc/passwd', p.owner, 'user');
    const gid = p.group === undefined ? -1 : lookupId('/etc/group', p.group, 'group');
    const targets = lstatSync(base).isDirectory() ? ['', ...walkAll(base)] : [''];
    const changes: Promise<void>[] = [];
    for (const rel of targets) {
      const full = rel ? join(base, rel) : base;
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) continue;
      const kind = stat.isDirectory() ? 'directory' : 'file';
      if (!p.type.includes(kind)) continue;
      const name = rel || posix.basename(p.object);
      if (rel && !globMatch(p.pattern, rel)) continue;
      if (p.except.some((e) => globMatch(e, rel || name))) continue;
      changes.push((async () => {
        if (uid !== -1 || gid !== -1) await chown(full, uid, gid);
        if (p.mode !== undefined) await chmod(full, p.mode);
      })());
    }
    await Promise.all(changes);
  }
}

function walkAll(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    const rel = relative(base, full);
    return e.isDirectory() ? [rel, ...walkAll(full, base)] : [rel];
  });
}

/** The instance shares the host's users and groups (its /etc is the host's, read-only). */
function lookupId(file: string, name: string, what: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.split(':')[0] === name);
  if (!line) throw new InstallError(`The ${what} ${name} named in the permissions section does not exist on the instance.`);
  return Number(line.split(':')[2]);
}

/** Glob with `**` (any depth), `*` and `?` (within a name), matched against a relative path or its last name. */
export function globMatch(pattern: string, path: string): boolean {
  if (pattern === '**') return true;
  const re = new RegExp(
    '^' +
      pattern
        .split('**')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('.*') +
      '$',
  );
  return re.test(path) || (!pattern.includes('/') && re.test(posix.basename(path)));
}
