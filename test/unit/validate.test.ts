import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/aws/models/index.js';
import { compilePattern, validateInput, validationMessage } from '../../src/aws/protocol/validate.js';

const iam = loadModel('iam');
const dynamodb = loadModel('dynamodb');
const createRole = iam.inputShape(iam.operation('CreateRole')!)!;

describe('model constraint validation', () => {
  it.each([
    [{ RoleName: 'ok', AssumeRolePolicyDocument: '{}' }, []],
    [{ AssumeRolePolicyDocument: '{}' }, ["Value null at 'roleName' failed to satisfy constraint: Member must not be null"]],
    [{ RoleName: '', AssumeRolePolicyDocument: '{}' }, [
      "Value '' at 'roleName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      "Value '' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    ]],
    [{ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: '{}' }, [`Value '${'x'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`]],
    [{ RoleName: 'a', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 10 }, ["Value '10' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"]],
    [{ RoleName: 'a', AssumeRolePolicyDocument: '{}', Tags: [{ Key: 'k' }] }, ["Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"]],
  ])('CreateRole %j', (input, problems) => {
    expect(validateInput(iam, createRole, input)).toEqual(problems);
  });

  it('checks enums and nested list members (DynamoDB CreateTable)', () => {
    const shape = dynamodb.inputShape(dynamodb.operation('CreateTable')!)!;
    const problems = validateInput(dynamodb, shape, {
      TableName: 'terraform-locks',
      AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'X' }],
      KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
    });
    expect(problems).toEqual(["Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [S, N, B]"]);
  });

  it('summarizes like AWS', () => {
    expect(validationMessage(['a'])).toBe('1 validation error detected: a');
    expect(validationMessage(['a', 'b'])).toBe('2 validation errors detected: a; b');
  });

  it('matches Java-style patterns against the whole value', () => {
    expect(compilePattern('[\\w+=,.@-]+')!.test('Role_1')).toBe(true);
    expect(compilePattern('[\\w+=,.@-]+')!.test('Role 1')).toBe(false);
    expect(compilePattern('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+')!.test('{"a":1}\n')).toBe(true);
  });
});

describe('sensitive members', () => {
  it('leaves secret values out of validation messages, as AWS does', () => {
    const sm = loadModel('secretsmanager');
    const shape = sm.inputShape(sm.operation('CreateSecret')!)!;
    const secret = 'hunter2-'.repeat(9000);
    const problems = validateInput(sm, shape, { Name: 'prod/db', SecretString: secret });
    expect(problems).toEqual(["Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"]);
    expect(problems.join()).not.toContain('hunter2');
    const binary = validateInput(sm, shape, { Name: 'prod/db', SecretBinary: new Uint8Array(0) });
    expect(binary).toEqual(["Value at 'secretBinary' failed to satisfy constraint: Member must have length greater than or equal to 1"]);
  });
});
