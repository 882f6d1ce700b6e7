import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join, posix, sep } from 'node:path';

/**
 * Buildspec file patterns: `*` and `?` stay within one path segment, `**` spans any number
 * of segments (`dist/**\/*` is every file under dist), `[...]` is a character class.
 */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      const slash = p[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${p.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export interface FoundFile {
  /** Path relative to the directory walked, with forward slashes. */
  rel: string;
  abs: string;
  symlink: boolean;
}

/** Every file (and symlink) under `root`, relative paths sorted; directories are walked, not listed. */
export function walkFiles(root: string): FoundFile[] {
  const out: FoundFile[] = [];
  const visit = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const abs = join(dir, e.name);
      if (e.isDirectory()) visit(abs, r);
      else if (e.isFile() || e.isSymbolicLink()) out.push({ rel: r, abs, symlink: e.isSymbolicLink() });
    }
  };
  visit(root, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Directories directly or deeply under `root` whose relative path matches `pattern`. */
export function matchDirectories(root: string, pattern: string): string[] {
  const p = posix.normalize(pattern.replace(/^\.\//, '')).replace(/\/+$/, '');
  if (p === '.' || p === '') return [root];
  // A base directory is inside the source: `..` and absolute paths match nothing.
  if (p.startsWith('..') || posix.isAbsolute(p)) return [];
  if (!/[*?[]/.test(p)) return isDir(join(root, p)) ? [join(root, p)] : [];
  const re = globToRegExp(p);
  const out: string[] = [];
  const visit = (dir: string, rel: string) => {
    for (const e of safeList(dir)) {
      if (!e.isDirectory()) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (re.test(r)) out.push(join(dir, e.name));
      visit(join(dir, e.name), r);
    }
  };
  visit(root, '');
  return out.sort();
}

function safeList(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True when `path` (following links) is `root` or inside it. */
export function isInside(path: string, root: string): boolean {
  try {
    const real = realpathSync(path);
    const base = realpathSync(root);
    return real === base || real.startsWith(base + sep);
  } catch {
    return false;
  }
}

export interface Selection {
  files: { rel: string; abs: string; symlink: boolean; name: string }[];
  /** Patterns that matched no file: AWS fails the upload naming them. */
  unmatched: string[];
}

/**
 * The files an `artifacts`/`reports`/`cache` section selects under `root`: each pattern
 * against every file, minus `exclude`, with names flattened when `discard` is set. Symbolic
 * links count only when they lead to a file inside `within` (or are kept as links).
 */
export function selectFiles(root: string, patterns: string[], exclude: string[] = [], discard = false, within = root, keepLinks = false): Selection {
  // Files are read by Slipway, outside the sandbox: a link leading out of the build's workspace
  // (to Slipway's data, hidden from the build) is never followed. Kept links are stored as links.
  const all = walkFiles(root).filter((f) => !f.symlink || keepLinks || isInside(f.abs, within));
  const ex = exclude.map(globToRegExp);
  const picked = new Map<string, FoundFile>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const re = globToRegExp(pattern);
    let hit = false;
    for (const f of all) {
      if (!re.test(f.rel) || ex.some((x) => x.test(f.rel))) continue;
      hit = true;
      picked.set(f.rel, f);
    }
    if (!hit) unmatched.push(pattern);
  }
  const files = [...picked.values()].map((f) => ({ ...f, name: discard ? posix.basename(f.rel) : f.rel }));
  return { files, unmatched };
}
