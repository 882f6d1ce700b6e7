import { ServiceError } from '../../core/errors.js';

/** A CodeCommit error (all are client errors, HTTP 400, in the json 1.1 protocol). */
export function ccError(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { statusCode: 400 });
}

export function repositoryDoesNotExist(name: string): ServiceError {
  return ccError('RepositoryDoesNotExistException', `${name} does not exist`);
}

export function branchDoesNotExist(name: string): ServiceError {
  return ccError('BranchDoesNotExistException', `Branch not found: ${name}`);
}

export function commitDoesNotExist(specifier: string): ServiceError {
  return ccError('CommitDoesNotExistException', `Could not find commit: ${specifier}`);
}

/** git check-ref-format's rules for one branch or tag name. */
export function isValidRefName(name: string): boolean {
  if (!name || name.length > 256 || name === '@') return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (name.startsWith('-')) return false;
  return name.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

/** A branch name as given, or refs/heads/<name>, reduced to the short name. */
export function shortBranch(name: string): string {
  return name.startsWith('refs/heads/') ? name.slice('refs/heads/'.length) : name;
}

export function checkBranchName(name: string | undefined): string {
  if (name === undefined || name === '') throw ccError('BranchNameRequiredException', 'A branch name is required, but was not specified.');
  const short = shortBranch(name);
  if (!isValidRefName(short)) throw ccError('InvalidBranchNameException', `The specified branch name is not valid: ${name}`);
  return short;
}

/**
 * Normalizes a file or folder path from the API: no leading slash, no empty, `.` or `..`
 * segments and nothing inside `.git`, so that no path can leave the repository's tree.
 * '' (the root) is allowed only where `allowRoot` says so.
 */
export function normalizePath(path: string | undefined, allowRoot = false): string {
  if (path === undefined || (path === '' && !allowRoot)) throw ccError('PathRequiredException', 'The folderPath for a location cannot be null.');
  let p = path.replace(/^\/+/, '');
  if (allowRoot && (p === '' || p === '.')) return '';
  p = p.replace(/\/+$/, '');
  const bad = p === '' || p.includes('\0') || p.includes('\\') || p.split('/').some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git');
  if (bad) throw ccError('InvalidPathException', `The specified path is not valid: ${path}`);
  return p;
}

export function checkRepositoryName(name: string): void {
  if (/\.git$/i.test(name) || !/^[\w.-]{1,100}$/.test(name) || name === '.' || name === '..') {
    throw ccError(
      'InvalidRepositoryNameException',
      `The repository name '${name}' is not valid. Repository names can be any valid combination of letters, numbers, periods, underscores, and dashes between 1 and 100 characters in length, and cannot end in .git.`,
    );
  }
}

/** Reads a positive page size; `max` caps it as AWS documents for each operation. */
export function pageSize(value: number | undefined, fallback: number, max = fallback, code = 'InvalidMaxResultsException'): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw ccError(code, `The specified number of maximum results is not valid: ${value}`);
  return Math.min(value, max);
}

/** Opaque page tokens: the offset into a stable ordering. */
export function decodeOffset(token: string | undefined, code = 'InvalidContinuationTokenException'): number {
  if (!token) return 0;
  const m = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw ccError(code, 'The specified continuation token is not valid.');
  return Number(m[1]);
}

export function encodeOffset(offset: number): string {
  return Buffer.from(`o${offset}`, 'utf8').toString('base64url');
}

/** One page of `items` from an offset token. */
export function pageOf<T>(items: T[], token: string | undefined, size: number, code?: string): { items: T[]; next?: string } {
  const start = decodeOffset(token, code);
  const page = items.slice(start, start + size);
  return { items: page, next: start + size < items.length ? encodeOffset(start + size) : undefined };
}
