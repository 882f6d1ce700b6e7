import { GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { OracleHandler, oracleConfig } from '../../helpers/oracle.js';
import { loadModel } from '../../../src/aws/models/index.js';
import { codecFor } from '../../../src/aws/protocol/index.js';

describe('rest-xml: a structure whose one member names the root element', () => {
  const handler = new OracleHandler();
  const client = new S3Client(oracleConfig(handler));

  it('writes the member as the root element text, as S3 GetBucketLocation does', async () => {
    const model = loadModel('s3');
    const out = codecFor('rest-xml').serializeOutput(model, model.operation('GetBucketLocation')!, { LocationConstraint: 'eu-west-1' }, { requestId: 'r' });
    expect(String(out.body)).toContain('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>');
    handler.respond({ LocationConstraint: 'eu-west-1' });
    expect((await client.send(new GetBucketLocationCommand({ Bucket: 'b' }))).LocationConstraint).toBe('eu-west-1');
  });

  it('writes an empty root element when the member is absent (us-east-1)', () => {
    const model = loadModel('s3');
    const out = codecFor('rest-xml').serializeOutput(model, model.operation('GetBucketLocation')!, {}, { requestId: 'r' });
    expect(String(out.body)).toContain('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
  });
});
