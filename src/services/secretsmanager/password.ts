import { randomInt } from 'node:crypto';
import type { GetRandomPasswordRequest } from '../../aws/models/generated/secretsmanager.js';
import { invalidParameter } from './common.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The character classes a GetRandomPassword request leaves in play, after exclusions. */
export function passwordClasses(input: GetRandomPasswordRequest): string[] {
  const exclude = new Set(input.ExcludeCharacters ?? '');
  const classes = [
    input.ExcludeLowercase ? '' : LOWER,
    input.ExcludeUppercase ? '' : UPPER,
    input.ExcludeNumbers ? '' : DIGITS,
    input.ExcludePunctuation ? '' : PUNCTUATION,
    input.IncludeSpace ? ' ' : '',
  ];
  return classes.map((c) => [...c].filter((ch) => !exclude.has(ch)).join('')).filter((c) => c.length > 0);
}

/**
 * A password from a cryptographic random source: 32 characters by default, drawn from
 * every class not excluded, with at least one of each unless RequireEachIncludedType is false.
 */
export function randomPassword(input: GetRandomPasswordRequest): string {
  const length = input.PasswordLength ?? 32;
  const classes = passwordClasses(input);
  if (!classes.length) throw invalidParameter('The password can\'t be generated: every character type was excluded.');
  const requireEach = input.RequireEachIncludedType ?? true;
  if (requireEach && length < classes.length) {
    throw invalidParameter(`The password length ${length} is too short to include a character of each of the ${classes.length} included types.`);
  }
  const all = classes.join('');
  const chars = requireEach ? classes.map((c) => c[randomInt(c.length)]) : [];
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  // Shuffle so the required characters do not always lead.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
