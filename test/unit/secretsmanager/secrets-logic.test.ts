import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/services/common/secret-box.js';
import { matchesFilters, prefixMatch } from '../../../src/services/secretsmanager/list-filters.js';
import { passwordClasses, randomPassword } from '../../../src/services/secretsmanager/password.js';
import type { SecretRecord } from '../../../src/services/secretsmanager/store.js';
import { addVersion, moveStage, pickVersion } from '../../../src/services/secretsmanager/versions.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-box-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secret(): SecretRecord {
  return { name: 'prod/db', arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf', tags: [], created: 0, lastChanged: 0, versions: [] };
}

const stagesOf = (s: SecretRecord) => Object.fromEntries(s.versions.map((v) => [v.id, [...v.stages].sort()]));

describe('version stages', () => {
  it('moves AWSCURRENT to each new version and leaves AWSPREVIOUS on the one before', () => {
    const s = secret();
    for (const id of ['v1', 'v2', 'v3']) addVersion(s, { id, stages: [], created: 0 });
    expect(stagesOf(s)).toEqual({ v1: [], v2: ['AWSPREVIOUS'], v3: ['AWSCURRENT'] });
  });

  it('adds a version with only AWSPENDING without touching AWSCURRENT', () => {
    const s = secret();
    addVersion(s, { id: 'v1', stages: [], created: 0 });
    addVersion(s, { id: 'v2', stages: [], created: 0 }, ['AWSPENDING']);
    expect(stagesOf(s)).toEqual({ v1: ['AWSCURRENT'], v2: ['AWSPENDING'] });
    expect(pickVersion(s, undefined, 'AWSPENDING').id).toBe('v2');
    expect(pickVersion(s, undefined, undefined).id).toBe('v1');
  });

  it('moves a stage only when its current holder is named, as UpdateSecretVersionStage requires', () => {
    const s = secret();
    addVersion(s, { id: 'v1', stages: [], created: 0 });
    addVersion(s, { id: 'v2', stages: [], created: 0 }, ['AWSPENDING']);
    expect(() => moveStage(s, 'AWSCURRENT', undefined, 'v2')).toThrow(/RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version v1/);
    moveStage(s, 'AWSCURRENT', 'v1', 'v2');
    expect(stagesOf(s)).toEqual({ v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT', 'AWSPENDING'] });
    moveStage(s, 'AWSPENDING', 'v2', undefined);
    expect(stagesOf(s)).toEqual({ v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] });
    expect(() => moveStage(s, 'AWSCURRENT', 'v2', undefined)).toThrow(/can't remove the staging label AWSCURRENT/);
    expect(() => moveStage(s, 'AWSCURRENT', 'v1', 'v2')).toThrow(/not attached to version v1/);
    expect(() => moveStage(s, 'X', undefined, 'nope')).toThrow(/VersionId: nope/);
  });

  it('rolls back by moving AWSCURRENT to the previous version', () => {
    const s = secret();
    addVersion(s, { id: 'v1', stages: [], created: 0 });
    addVersion(s, { id: 'v2', stages: [], created: 0 });
    moveStage(s, 'AWSCURRENT', 'v2', 'v1');
    expect(stagesOf(s)).toEqual({ v1: ['AWSCURRENT'], v2: ['AWSPREVIOUS'] });
  });

  it('answers AWS messages for a missing version or stage', () => {
    const s = secret();
    addVersion(s, { id: 'v1', stages: [], created: 0 });
    expect(() => pickVersion(s, undefined, 'AWSPREVIOUS')).toThrow("Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
    expect(() => pickVersion(s, 'v9', undefined)).toThrow("Secrets Manager can't find the specified secret value for VersionId: v9");
    expect(() => pickVersion(s, 'v1', 'AWSPENDING')).toThrow(/not associated/);
  });

  it('keeps at most 100 versions, dropping the oldest without a stage', () => {
    const s = secret();
    for (let i = 1; i <= 105; i++) addVersion(s, { id: `v${i}`, stages: [], created: i });
    expect(s.versions).toHaveLength(100);
    expect(s.versions[0].id).toBe('v6');
    expect(pickVersion(s, undefined, 'AWSPREVIOUS').id).toBe('v104');
  });
});

describe('GetRandomPassword', () => {
  it('defaults to 32 characters with one of each type', () => {
    for (let i = 0; i < 50; i++) {
      const p = randomPassword({});
      expect(p).toHaveLength(32);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[^a-zA-Z0-9]/);
      expect(p).not.toContain(' ');
    }
  });

  it.each([
    [{ PasswordLength: 12, ExcludePunctuation: true }, /^[a-zA-Z0-9]{12}$/],
    [{ PasswordLength: 20, ExcludeUppercase: true, ExcludeLowercase: true, ExcludePunctuation: true }, /^[0-9]{20}$/],
    [{ PasswordLength: 40, ExcludeCharacters: 'abcdefghijklmnopqrstuvwxyz0123456789', ExcludePunctuation: true }, /^[A-Z]{40}$/],
    [{ PasswordLength: 4096, IncludeSpace: true }, /^[\x20-\x7e]{4096}$/],
  ])('%j', (input, shape) => {
    expect(randomPassword(input)).toMatch(shape);
  });

  it('refuses what cannot be satisfied', () => {
    expect(() => randomPassword({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })).toThrow(/every character type/);
    expect(() => randomPassword({ PasswordLength: 3 })).toThrow(/too short/);
    expect(randomPassword({ PasswordLength: 3, RequireEachIncludedType: false })).toHaveLength(3);
    expect(passwordClasses({ IncludeSpace: true })).toHaveLength(5);
  });
});

describe('ListSecrets filters', () => {
  const s: SecretRecord = { ...secret(), name: 'prod/payments/db-password', description: 'Primary database', tags: [{ Key: 'team', Value: 'Payments' }] };

  it.each([
    ['prod/payments/db-password', 'prod', true],
    ['prod/payments/db-password', 'payments', true],
    ['prod/payments/db-password', 'PASS', true],
    ['prod/payments/db-password', 'ments', false],
  ])('prefixMatch(%s, %s) = %s', (field, value, want) => {
    expect(prefixMatch(field, value)).toBe(want);
  });

  it.each([
    [[{ Key: 'name' as const, Values: ['prod/'] }], true],
    [[{ Key: 'name' as const, Values: ['staging', 'prod'] }], true],
    [[{ Key: 'name' as const, Values: ['!prod'] }], false],
    [[{ Key: 'description' as const, Values: ['database'] }], true],
    [[{ Key: 'tag-key' as const, Values: ['team'] }], true],
    [[{ Key: 'tag-value' as const, Values: ['pay'] }], true],
    [[{ Key: 'tag-value' as const, Values: ['ops'] }], false],
    [[{ Key: 'all' as const, Values: ['primary'] }], true],
    [[{ Key: 'primary-region' as const, Values: ['us-east-1'] }], true],
    [[{ Key: 'name' as const, Values: ['prod'] }, { Key: 'tag-key' as const, Values: ['owner'] }], false],
  ])('%j -> %s', (filters, want) => {
    expect(matchesFilters(s, filters, 'us-east-1')).toBe(want);
  });
});

describe('SecretBox', () => {
  it('creates its key on first use with mode 0600 and round-trips values bound to their context', () => {
    const keyFile = join(dir, 'sub', 'box.key');
    const box = new SecretBox(keyFile);
    const sealed = box.encrypt('s3cr3t', 'ctx-a');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile)).toHaveLength(32);
    expect(sealed).not.toContain('s3cr3t');
    expect(Buffer.from(sealed, 'base64').toString('latin1')).not.toContain('s3cr3t');
    expect(box.decryptText(sealed, 'ctx-a')).toBe('s3cr3t');
    expect(() => box.decrypt(sealed, 'ctx-b')).toThrow();
    expect(box.encrypt('s3cr3t', 'ctx-a')).not.toBe(sealed);
    // A second box on the same file (a restart) reads the same key.
    expect(new SecretBox(keyFile).decryptText(sealed, 'ctx-a')).toBe('s3cr3t');
  });

  it('refuses a damaged key file rather than silently making a new key', () => {
    const keyFile = join(dir, 'short.key');
    writeFileSync(keyFile, 'short');
    expect(() => new SecretBox(keyFile).encrypt('y', 'c')).toThrow(/damaged: expected 32 bytes, found 5/);
    expect(readFileSync(keyFile, 'utf8')).toBe('short');
  });
});
