import { describe, expect, it } from 'vitest';
import type { ParameterStringFilter } from '../../../src/aws/models/generated/ssm.js';
import { checkParameterFilters, matchesAll, type FilterSubject, type FilterUse } from '../../../src/services/ssm/filters.js';

const subject: FilterSubject = {
  name: '/app/prod/db-password',
  type: 'SecureString',
  keyId: 'alias/aws/ssm',
  tier: 'Standard',
  dataType: 'text',
  labels: ['live'],
  tags: [{ Key: 'team', Value: 'platform' }],
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe('parameter filters', () => {
  it.each([
    [[{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/prod'] }], true],
    [[{ Key: 'Name', Option: 'BeginsWith', Values: ['app/prod'] }], true],
    [[{ Key: 'Name', Option: 'Contains', Values: ['password'] }], true],
    [[{ Key: 'Name', Values: ['/app/prod/db-password'] }], true],
    [[{ Key: 'Name', Values: ['/app/prod'] }], false],
    [[{ Key: 'Path', Values: ['/app/prod'] }], true],
    [[{ Key: 'Path', Values: ['/app'] }], false],
    [[{ Key: 'Path', Option: 'Recursive', Values: ['/app'] }], true],
    [[{ Key: 'Type', Values: ['SecureString'] }], true],
    [[{ Key: 'Type', Values: ['String', 'StringList'] }], false],
    [[{ Key: 'KeyId', Values: ['alias/aws/ssm'] }], true],
    [[{ Key: 'Tier', Values: ['Advanced'] }], false],
    [[{ Key: 'DataType', Values: ['text'] }], true],
    [[{ Key: 'tag:team' }], true],
    [[{ Key: 'tag:team', Values: ['plat'], Option: 'BeginsWith' }], true],
    [[{ Key: 'tag:owner' }], false],
    [[{ Key: 'Type', Values: ['SecureString'] }, { Key: 'tag:team', Values: ['other'] }], false],
  ])('DescribeParameters %j -> %s', (filters, want) => {
    expect(matchesAll(subject, checkParameterFilters(filters, 'DescribeParameters'))).toBe(want);
  });

  it.each([
    [[{ Key: 'Label', Values: ['live'] }], true],
    [[{ Key: 'Label', Values: ['old'] }], false],
    [[{ Key: 'Type', Option: 'BeginsWith', Values: ['Secure'] }], true],
  ])('GetParametersByPath %j -> %s', (filters, want) => {
    expect(matchesAll(subject, checkParameterFilters(filters, 'GetParametersByPath'))).toBe(want);
  });

  it.each([
    ['DescribeParameters', { Key: 'Label', Values: ['x'] }, 'InvalidFilterKey'],
    ['GetParametersByPath', { Key: 'Name', Values: ['x'] }, 'InvalidFilterKey'],
    ['GetParametersByPath', { Key: 'tag:team', Values: ['x'] }, 'InvalidFilterKey'],
    ['GetParametersByPath', { Key: 'Label', Option: 'BeginsWith', Values: ['x'] }, 'InvalidFilterOption'],
    ['DescribeParameters', { Key: 'Type', Option: 'Contains', Values: ['x'] }, 'InvalidFilterOption'],
    ['DescribeParameters', { Key: 'Path', Option: 'Equals', Values: ['/x'] }, 'InvalidFilterOption'],
    ['DescribeParameters', { Key: 'Type', Values: ['Text'] }, 'InvalidFilterValue'],
    ['DescribeParameters', { Key: 'Name' }, 'InvalidFilterValue'],
    ['DescribeParameters', { Key: 'Path', Values: ['no-slash'] }, 'ValidationException'],
  ] as [FilterUse, ParameterStringFilter, string][])('%s refuses %j with %s', (use, filter, code) => {
    expect(codeOf(() => checkParameterFilters([filter], use))).toBe(code);
  });

  it('names the valid choices in its messages', () => {
    expect(() => checkParameterFilters([{ Key: 'Label', Values: ['x'] }], 'DescribeParameters')).toThrow(
      'The following filter key is not valid: Label. Valid filter keys include: [Name, Type, KeyId, Path, Tier, DataType, tag:<key>].',
    );
  });
});
