import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

// Terraform's S3 backend locks state with these calls against the seed's lock table.
const lockItem = (info: string) => JSON.stringify({ LockID: { S: 'terraform-state-bucket/prod/terraform.tfstate' }, Info: { S: info } });
const lockKey = JSON.stringify({ LockID: { S: 'terraform-state-bucket/prod/terraform.tfstate' } });

describe('DynamoDB through the aws CLI', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
  });
  afterAll(() => sw.close());

  it('creates the seed lock table exactly as the seed writes it', async () => {
    const r = await cli(
      'dynamodb', 'create-table', '--table-name', 'terraform-locks', '--attribute-definitions', 'AttributeName=LockID,AttributeType=S',
      '--key-schema', 'AttributeName=LockID,KeyType=HASH', '--provisioned-throughput', 'ReadCapacityUnits=5,WriteCapacityUnits=5',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ TableDescription: Record<string, unknown> }>().TableDescription).toMatchObject({
      TableName: 'terraform-locks',
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/terraform-locks',
    });
    const again = await cli('dynamodb', 'create-table', '--table-name', 'terraform-locks', '--attribute-definitions', 'AttributeName=LockID,AttributeType=S',
      '--key-schema', 'AttributeName=LockID,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST');
    expect(again.code).toBe(255);
    expect(again.stderr).toContain('ResourceInUseException');
    expect(again.stderr).toContain('Table already exists: terraform-locks');
  });

  it('takes, reads and releases a lock the way Terraform does', async () => {
    const lock = await cli('dynamodb', 'put-item', '--table-name', 'terraform-locks', '--item', lockItem('{"ID":"1"}'), '--condition-expression', 'attribute_not_exists(LockID)');
    expect(lock.code, lock.stderr).toBe(0);
    const held = await cli('dynamodb', 'put-item', '--table-name', 'terraform-locks', '--item', lockItem('{"ID":"2"}'), '--condition-expression', 'attribute_not_exists(LockID)');
    expect(held.code).toBe(255);
    expect(held.stderr).toContain('ConditionalCheckFailedException');
    expect(held.stderr).toContain('The conditional request failed');

    const got = await cli('dynamodb', 'get-item', '--table-name', 'terraform-locks', '--key', lockKey, '--consistent-read', '--projection-expression', 'LockID, Info');
    expect(got.json()).toEqual({ Item: JSON.parse(lockItem('{"ID":"1"}')) });

    const wrong = await cli('dynamodb', 'delete-item', '--table-name', 'terraform-locks', '--key', lockKey, '--condition-expression', 'Info = :info',
      '--expression-attribute-values', JSON.stringify({ ':info': { S: '{"ID":"2"}' } }));
    expect(wrong.stderr).toContain('ConditionalCheckFailedException');
    const unlock = await cli('dynamodb', 'delete-item', '--table-name', 'terraform-locks', '--key', lockKey, '--condition-expression', 'Info = :info',
      '--expression-attribute-values', JSON.stringify({ ':info': { S: '{"ID":"1"}' } }), '--return-values', 'ALL_OLD');
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.json()).toMatchObject({ Attributes: { Info: { S: '{"ID":"1"}' } } });
    const gone = await cli('dynamodb', 'get-item', '--table-name', 'terraform-locks', '--key', lockKey);
    expect(gone.stdout.trim()).toBe('');
  });

  it('gives the lock to exactly one of two racing aws processes', async () => {
    const attempt = (who: string) =>
      aws(sw.env, 'dynamodb', 'put-item', '--table-name', 'terraform-locks', '--item', JSON.stringify({ LockID: { S: 'race' }, Who: { S: who } }),
        '--condition-expression', 'attribute_not_exists(LockID)');
    const results = await Promise.all([attempt('a'), attempt('b')]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 255]);
    const winner = ['a', 'b'][results.findIndex((r) => r.code === 0)];
    const loser = results.find((r) => r.code !== 0)!;
    expect(loser.stderr).toContain('ConditionalCheckFailedException');
    const got = await cli('dynamodb', 'get-item', '--table-name', 'terraform-locks', '--key', JSON.stringify({ LockID: { S: 'race' } }));
    expect(got.json()).toEqual({ Item: { LockID: { S: 'race' }, Who: { S: winner } } });
  });

  it('answers malformed expressions and reserved words with AWS messages', async () => {
    const bad = await cli('dynamodb', 'update-item', '--table-name', 'terraform-locks', '--key', lockKey, '--update-expression', 'ADD hits : incr',
      '--expression-attribute-values', '{":incr":{"N":"1"}}');
    expect(bad.code).toBe(255);
    expect(bad.stderr).toContain('ValidationException');
    expect(bad.stderr).toContain('Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"');
    const reserved = await cli('dynamodb', 'put-item', '--table-name', 'terraform-locks', '--item', lockItem('x'), '--condition-expression', 'attribute_not_exists(Lock)');
    expect(reserved.stderr).toContain('Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Lock');
    const counted = await cli('dynamodb', 'describe-table', '--table-name', 'terraform-locks');
    expect(counted.json<{ Table: { ItemCount: number } }>().Table.ItemCount).toBe(1);
  });
});
