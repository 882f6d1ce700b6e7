import { CodeBuildClient, CreateProjectCommand, BatchGetBuildsCommand } from '@aws-sdk/client-codebuild';
import { DynamoDBClient, PutItemCommand, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageCommand, QueueDoesNotExist } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/core/errors.js';
import { normalize, OracleHandler, oracleConfig } from '../../helpers/oracle.js';

describe('AWS JSON 1.1 codec (CodeBuild), with the SDK as oracle', () => {
  const handler = new OracleHandler();
  const client = new CodeBuildClient(oracleConfig(handler));

  it('parses a nested request exactly as the SDK wrote it', async () => {
    const input = {
      name: 'my-build-project',
      source: { type: 'CODECOMMIT' as const, location: 'http://localhost:4566/v1/repos/my-repo', gitCloneDepth: 1, buildspec: 'version: 0.2\nphases: {}' },
      artifacts: { type: 'S3' as const, location: 'my-artifacts-bucket', packaging: 'ZIP' as const },
      environment: {
        type: 'LINUX_CONTAINER' as const,
        image: 'aws/codebuild/standard:5.0',
        computeType: 'BUILD_GENERAL1_SMALL' as const,
        environmentVariables: [
          { name: 'STAGE', value: 'prod', type: 'PLAINTEXT' as const },
          { name: 'DB', value: '/app/db-host', type: 'PARAMETER_STORE' as const },
        ],
      },
      serviceRole: 'arn:aws:iam::000000000000:role/CodeBuildRole',
      timeoutInMinutes: 15,
      tags: [{ key: 'team', value: 'web' }],
    };
    handler.respond({ project: { name: 'my-build-project', created: new Date('2024-03-01T10:00:00.250Z') } });
    const out = await client.send(new CreateProjectCommand(input));
    expect(handler.captured).toMatchObject({ service: 'codebuild', protocol: 'json', operation: 'CreateProject' });
    expect(normalize(handler.captured!.input)).toEqual(normalize(input));
    expect(out.project?.created?.toISOString()).toBe('2024-03-01T10:00:00.250Z');
  });

  it('serializes timestamps, enums and nested lists the SDK reads back', async () => {
    const build = {
      id: 'p:1',
      buildNumber: 7,
      startTime: new Date('2024-03-01T10:00:00Z'),
      endTime: new Date('2024-03-01T10:01:30.500Z'),
      buildStatus: 'FAILED',
      phases: [
        { phaseType: 'BUILD', phaseStatus: 'FAILED', durationInSeconds: 3, contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'exit 1' }] },
      ],
    };
    handler.respond({ builds: [build], buildsNotFound: ['p:2'] });
    const out = await client.send(new BatchGetBuildsCommand({ ids: ['p:1', 'p:2'] }));
    expect(normalize(out)).toEqual(normalize({ builds: [build], buildsNotFound: ['p:2'] }));
  });
});

describe('AWS JSON 1.0 codec (DynamoDB, SQS)', () => {
  it('round-trips attribute values including binary, sets, maps and lists', async () => {
    const handler = new OracleHandler();
    const client = new DynamoDBClient(oracleConfig(handler));
    const item = {
      LockID: { S: 'terraform-state-bucket/prod/terraform.tfstate' },
      Count: { N: '42' },
      Blob: { B: new Uint8Array([0, 1, 2, 250]) },
      Tags: { SS: ['a', 'b'] },
      Nested: { M: { ok: { BOOL: true }, nothing: { NULL: true }, list: { L: [{ S: 'x' }, { N: '1.5' }] } } },
    };
    handler.respond({ Attributes: item, ConsumedCapacity: { TableName: 'terraform-locks', CapacityUnits: 1 } });
    const out = await client.send(
      new PutItemCommand({
        TableName: 'terraform-locks',
        Item: item,
        ConditionExpression: 'attribute_not_exists(#k)',
        ExpressionAttributeNames: { '#k': 'LockID' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    expect(handler.captured!.operation).toBe('PutItem');
    expect(normalize(handler.captured!.input.Item)).toEqual(normalize(item));
    expect(normalize(out.Attributes)).toEqual(normalize(item));
  });

  it('sends errors the SDK turns into the modeled exception', async () => {
    const handler = new OracleHandler();
    const client = new DynamoDBClient(oracleConfig(handler));
    handler.respond(new ServiceError('ConditionalCheckFailedException', 'The conditional request failed'));
    const err = await client.send(new PutItemCommand({ TableName: 't', Item: { k: { S: 'v' } } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    expect((err as Error).message).toBe('The conditional request failed');
    expect((err as ConditionalCheckFailedException).$metadata.httpStatusCode).toBe(400);
  });

  it('answers query-compatible services (SQS) with the error code the SDK maps', async () => {
    const handler = new OracleHandler();
    const client = new SQSClient(oracleConfig(handler));
    handler.respond({ MessageId: 'm-1', MD5OfMessageBody: '5d41402abc4b2a76b9719d911017c592' });
    const out = await client.send(
      new SendMessageCommand({
        QueueUrl: 'http://localhost:4566/000000000000/orders',
        MessageBody: 'hello',
        MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: new Uint8Array([9, 8]) }, s: { DataType: 'String', StringValue: 'v' } },
      }),
    );
    expect(out.MessageId).toBe('m-1');
    expect(normalize(handler.captured!.input.MessageAttributes)).toEqual({ bin: { DataType: 'Binary', BinaryValue: 'bytes:0908' }, s: { DataType: 'String', StringValue: 'v' } });
    handler.respond(new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.'));
    const err = await client.send(new SendMessageCommand({ QueueUrl: 'http://x/0/q', MessageBody: 'b' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueDoesNotExist);
  });
});
