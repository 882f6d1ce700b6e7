import { describe, expect, it } from 'vitest';
import { checkName, checkPath, isUnderPath, isValidLabel, parameterArn, parseSelector } from '../../../src/services/ssm/names.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe('parameter names', () => {
  it.each([
    ['/app/db-host', undefined],
    ['db_host.v1-2', undefined],
    ['/Dev/DBServer/MySQL/db-string13', undefined],
    ['app/db-host', 'ValidationException'],
    ['/app//db', 'ValidationException'],
    ['/app/db host', 'ValidationException'],
    ['/app/db*', 'ValidationException'],
    ['/app/', 'ValidationException'],
    ['awsthing', 'ValidationException'],
    ['SSM-thing', 'ValidationException'],
    ['/aws/service/x', 'ValidationException'],
    ['/ssm/x', 'ValidationException'],
    ['/app/aws-ok', undefined],
    [`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`, undefined],
    [`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, 'HierarchyLevelLimitExceededException'],
  ])('checkName(%s) -> %s', (name, code) => {
    expect(codeOf(() => checkName(name))).toBe(code);
  });

  it('answers the messages AWS uses', () => {
    expect(() => checkName('app/x')).toThrow('Parameter name must be a fully qualified name.');
    expect(() => checkName('awsx')).toThrow('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  });

  it.each([
    ['/app', '/app'],
    ['/app/', '/app'],
    ['/', '/'],
  ])('checkPath(%s) normalizes to %s', (path, want) => {
    expect(checkPath(path)).toBe(want);
  });

  it.each(['app', '/aws/x', '/a b', '/a//b'])('checkPath(%s) is refused', (path) => {
    expect(codeOf(() => checkPath(path))).toBe('ValidationException');
  });

  it.each([
    ['/app/db', '/app', false, true],
    ['/app/db/host', '/app', false, false],
    ['/app/db/host', '/app', true, true],
    ['/application/x', '/app', true, false],
    ['/app', '/app', true, false],
    ['plain', '/', false, true],
    ['/top', '/', false, true],
    ['/a/b', '/', false, false],
    ['/a/b', '/', true, true],
  ])('isUnderPath(%s, %s, recursive=%s) = %s', (name, path, recursive, want) => {
    expect(isUnderPath(name, path, recursive)).toBe(want);
  });
});

describe('selectors', () => {
  it.each([
    ['/app/db', { name: '/app/db' }],
    ['/app/db:3', { name: '/app/db', version: 3, selector: '3' }],
    ['/app/db:prod', { name: '/app/db', label: 'prod', selector: 'prod' }],
    ['arn:aws:ssm:us-east-1:000000000000:parameter/app/db:2', { name: '/app/db', version: 2, selector: '2' }],
    ['arn:aws:ssm:us-east-1:000000000000:parameter/plain', { name: '/plain', alternate: 'plain' }],
  ])('parseSelector(%s)', (input, want) => {
    expect(parseSelector(input)).toEqual(want);
  });

  it.each(['/a:b:c', '/a:', ':3'])('parseSelector(%s) is refused', (input) => {
    expect(codeOf(() => parseSelector(input))).toBe('ValidationException');
  });

  it.each([
    ['prod', true],
    ['release_1.2-rc', true],
    ['1prod', false],
    ['awsprod', false],
    ['SSMx', false],
    ['has space', false],
    ['x'.repeat(101), false],
  ])('label %s valid: %s', (label, want) => {
    expect(isValidLabel(label)).toBe(want);
  });

  it('builds ARNs with one slash for hierarchical and plain names', () => {
    expect(parameterArn('us-east-1', '000000000000', '/app/db-host')).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/app/db-host');
    expect(parameterArn('us-east-1', '000000000000', 'plain')).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/plain');
  });
});
