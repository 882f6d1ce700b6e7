import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Directories an instance always owns whole: they start empty on a new instance and hide
 * the host's (its logs, temp files, web root, agent files and home directories are its own).
 */
export const OWNED_DIRS = ['/tmp', '/var/tmp', '/var/log', '/var/www', '/opt/codedeploy-agent', '/srv', '/home/ec2-user'];

/** Creates the directories every new instance starts with. */
export function prepareRoot(root: string): void {
  for (const dir of OWNED_DIRS) mkdirSync(join(root, dir), { recursive: true });
}

/** One mount of the instance's file tree over the host's, in bubblewrap argument form. */
export interface Layout {
  args: string[];
  /** Paths (inside) where the instance's own directories are mounted writable. */
  writable: string[];
}

/**
 * The bubblewrap arguments that lay an instance's root directory over the host's read-only
 * view: a path the host lacks is bound from the instance root, which needs its parent to be
 * rebuilt (a tmpfs holding the host's entries again, read-only) because nothing can be
 * created under a read-only bind; paths the host has too are descended into.
 */
export function layoutFor(root: string): Layout {
  const layout: Layout = { args: [], writable: [] };
  visit(root, '/', layout, 0);
  return layout;
}

function visit(root: string, dir: string, layout: Layout, depth: number): void {
  const local = join(root, dir);
  let children: string[];
  try {
    children = readdirSync(local);
  } catch {
    return;
  }
  const plans = children.map((name) => {
    const inside = join(dir, name);
    const hostHas = existsSync(inside) || isLink(inside);
    const whole = OWNED_DIRS.includes(inside) || !hostHas || depth >= 6 || !lstatSync(join(root, inside)).isDirectory();
    return { name, inside, hostHas, whole };
  });
  // Only below the top level: the sandbox root is already a tmpfs that accepts new entries.
  if (dir !== '/' && plans.some((p) => p.whole && !p.hostHas)) rebuild(dir, layout);
  for (const p of plans) {
    if (p.whole) {
      layout.args.push('--bind', join(root, p.inside), p.inside);
      layout.writable.push(p.inside);
    } else {
      visit(root, p.inside, layout, depth + 1);
    }
  }
}

/** Covers a host directory with a tmpfs holding its entries again, so new mount points can be made in it. */
function rebuild(dir: string, layout: Layout): void {
  layout.args.push('--tmpfs', dir);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (isLink(path)) layout.args.push('--symlink', readlinkSync(path), path);
    else layout.args.push('--ro-bind', path, path);
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** True when `path` (inside the instance) lies in one of the writable mounts of `layout`. */
export function covers(layout: Layout, path: string): boolean {
  return layout.writable.some((w) => path === w || path.startsWith(w.endsWith('/') ? w : w + '/'));
}
