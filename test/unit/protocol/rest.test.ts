import { CreateFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import {
  DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutBucketVersioningCommand, PutObjectCommand, S3Client, HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/core/errors.js';
import { normalize, OracleHandler, oracleConfig } from '../../helpers/oracle.js';

describe('rest-json codec (Lambda), with the SDK as oracle', () => {
  it('parses URI labels, a JSON body with a blob and maps', async () => {
    const handler = new OracleHandler();
    const client = new LambdaClient(oracleConfig(handler));
    const input = {
      FunctionName: 'GetUsers',
      Runtime: 'nodejs18.x' as const,
      Role: 'arn:aws:iam::000000000000:role/LambdaRole',
      Handler: 'index.handler',
      Code: { ZipFile: new Uint8Array([80, 75, 3, 4, 0, 255]) },
      Environment: { Variables: { NODE_ENV: 'production', EMPTY: '' } },
      Timeout: 20,
      MemorySize: 128,
      Tags: { team: 'web' },
    };
    handler.respond({ FunctionName: 'GetUsers', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:GetUsers', CodeSize: 6, LastModified: '2024-01-01T00:00:00.000+0000' });
    const out = await client.send(new CreateFunctionCommand(input));
    expect(handler.captured).toMatchObject({ service: 'lambda', protocol: 'rest-json', operation: 'CreateFunction' });
    expect(normalize(handler.captured!.input)).toEqual(normalize(input));
    expect(out.CodeSize).toBe(6);
    expect(out.$metadata.httpStatusCode).toBe(201);
  });

  it('binds query parameters, headers, the raw payload and a status-code member', async () => {
    const handler = new OracleHandler();
    const client = new LambdaClient(oracleConfig(handler));
    handler.respond({ StatusCode: 200, FunctionError: 'Unhandled', LogResult: 'bG9n', ExecutedVersion: '$LATEST', Payload: Buffer.from('{"ok":false}') });
    const out = await client.send(new InvokeCommand({ FunctionName: 'f', Qualifier: 'live', InvocationType: 'RequestResponse', LogType: 'Tail', Payload: Buffer.from('{"a":1}') }));
    expect(normalize(handler.captured!.input)).toEqual({
      FunctionName: 'f', Qualifier: 'live', InvocationType: 'RequestResponse', LogType: 'Tail', Payload: `bytes:${Buffer.from('{"a":1}').toString('hex')}`,
    });
    expect(out.FunctionError).toBe('Unhandled');
    expect(out.LogResult).toBe('bG9n');
    expect(Buffer.from(out.Payload!).toString()).toBe('{"ok":false}');
    handler.respond({ Functions: [{ FunctionName: 'f' }], NextMarker: 'n' });
    const listed = await client.send(new ListFunctionsCommand({ MaxItems: 5, Marker: 'm' }));
    expect(handler.captured!.input).toEqual({ MaxItems: 5, Marker: 'm' });
    expect(listed.NextMarker).toBe('n');
  });

  it('sends errors with the status the model gives them', async () => {
    const handler = new OracleHandler();
    const client = new LambdaClient(oracleConfig(handler));
    handler.respond(new ServiceError('ResourceNotFoundException', 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope', { fields: { Type: 'User' } }));
    const err = await client.send(new InvokeCommand({ FunctionName: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
  });
});

describe('rest-xml codec (S3), with the SDK as oracle', () => {
  const handler = new OracleHandler();
  const client = new S3Client(oracleConfig(handler));

  it('parses greedy keys, metadata headers and a streaming body', async () => {
    handler.respond({ ETag: '"abc"', VersionId: 'v1' });
    const out = await client.send(
      new PutObjectCommand({ Bucket: 'my-artifacts-bucket', Key: 'app/dist/a b+c/ü.js', Body: Buffer.from('console.log(1)'), ContentType: 'text/javascript', Metadata: { build: '42' } }),
    );
    const input = handler.captured!.input;
    expect(handler.captured).toMatchObject({ service: 's3', protocol: 'rest-xml', operation: 'PutObject' });
    expect(input).toMatchObject({ Bucket: 'my-artifacts-bucket', Key: 'app/dist/a b+c/ü.js', ContentType: 'text/javascript', Metadata: { build: '42' } });
    expect(input.Body).toBeInstanceOf(Readable);
    expect(out).toMatchObject({ ETag: '"abc"', VersionId: 'v1' });
  });

  it('parses XML payloads: a structure and a list of objects', async () => {
    handler.respond({});
    await client.send(new PutBucketVersioningCommand({ Bucket: 'terraform-state-bucket', VersioningConfiguration: { Status: 'Enabled' } }));
    expect(handler.captured!.operation).toBe('PutBucketVersioning');
    expect(handler.captured!.input).toMatchObject({ Bucket: 'terraform-state-bucket', VersioningConfiguration: { Status: 'Enabled' } });
    handler.respond({ Deleted: [{ Key: 'a' }, { Key: 'b &c' }] });
    const out = await client.send(new DeleteObjectsCommand({ Bucket: 'b', Delete: { Objects: [{ Key: 'a' }, { Key: 'b &c', VersionId: 'v' }], Quiet: false } }));
    expect(handler.captured!.input).toMatchObject({ Bucket: 'b', Delete: { Objects: [{ Key: 'a' }, { Key: 'b &c', VersionId: 'v' }], Quiet: false } });
    expect(out.Deleted?.map((d) => d.Key)).toEqual(['a', 'b &c']);
  });

  it('routes by query literals and serializes flattened lists', async () => {
    const listing = {
      Name: 'my-artifacts-bucket',
      Prefix: 'app/',
      Delimiter: '/',
      KeyCount: 2,
      MaxKeys: 1000,
      IsTruncated: false,
      Contents: [
        { Key: 'app/package.json', LastModified: new Date('2024-01-01T00:00:00Z'), ETag: '"e1"', Size: 10, StorageClass: 'STANDARD' },
        { Key: 'app/index.html', LastModified: new Date('2024-01-01T00:00:01Z'), ETag: '"e2"', Size: 20, StorageClass: 'STANDARD' },
      ],
      CommonPrefixes: [{ Prefix: 'app/dist/' }],
    };
    handler.respond(listing);
    const out = await client.send(new ListObjectsV2Command({ Bucket: 'my-artifacts-bucket', Prefix: 'app/', Delimiter: '/' }));
    expect(handler.captured!.operation).toBe('ListObjectsV2');
    expect(normalize({ ...out, $metadata: undefined })).toEqual(normalize(listing));
  });

  it('streams a GetObject body with its headers, and answers HEAD without a body', async () => {
    handler.respond({ Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]), ContentLength: 11, ContentType: 'text/plain', ETag: '"x"', LastModified: new Date('2024-02-03T04:05:06Z'), Metadata: { build: '42' } });
    const out = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'k', Range: 'bytes=0-10' }));
    expect(handler.captured!.input).toMatchObject({ Bucket: 'b', Key: 'k', Range: 'bytes=0-10' });
    expect(await out.Body!.transformToString()).toBe('hello world');
    expect(out.LastModified?.toISOString()).toBe('2024-02-03T04:05:06.000Z');
    expect(out.Metadata).toEqual({ build: '42' });
    handler.respond({ ContentLength: 11, ETag: '"x"' });
    const head = await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }));
    expect(head.ContentLength).toBe(11);
  });

  it('sends S3 error documents the SDK turns into NoSuchKey', async () => {
    handler.respond(new ServiceError('NoSuchKey', 'The specified key does not exist.', { statusCode: 404, fields: { Key: 'missing' } }));
    const err = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'missing' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoSuchKey);
    expect((err as NoSuchKey).$metadata.httpStatusCode).toBe(404);
  });
});
