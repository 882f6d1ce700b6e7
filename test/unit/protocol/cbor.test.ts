import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, ResourceNotFound, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/core/errors.js';
import { normalize, OracleHandler, oracleConfig } from '../../helpers/oracle.js';

describe('smithy-rpc-v2-cbor codec (CloudWatch), with the SDK as oracle', () => {
  const handler = new OracleHandler();
  const client = new CloudWatchClient({ ...oracleConfig(handler), protocol: AwsSmithyRpcV2CborProtocol });

  it('parses timestamps, doubles, lists and dimensions', async () => {
    const input = {
      Namespace: 'AWS/ApplicationELB',
      MetricData: [
        {
          MetricName: 'HTTPCode_Target_5XX_Count',
          Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web-alb/123' }],
          Timestamp: new Date('2024-05-01T12:00:00.500Z'),
          Values: [1, 2.5, 1e9],
          Counts: [3, 1, 1],
          Unit: 'Count' as const,
          StorageResolution: 1,
        },
      ],
    };
    handler.respond({});
    await client.send(new PutMetricDataCommand(input));
    expect(handler.captured).toMatchObject({ service: 'cloudwatch', protocol: 'smithy-rpc-v2-cbor', operation: 'PutMetricData' });
    expect(normalize(handler.captured!.input)).toEqual(normalize(input));
  });

  it('serializes results the SDK reads back, including large integers', async () => {
    const result = {
      MetricDataResults: [{ Id: 'm1', Label: 'errors', Timestamps: [new Date('2024-05-01T12:00:00Z'), new Date('2024-05-01T12:05:00Z')], Values: [0, 7.25], StatusCode: 'Complete' }],
      Messages: [],
    };
    handler.respond(result);
    const out = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date('2024-05-01T11:00:00Z'),
        EndTime: new Date('2024-05-01T13:00:00Z'),
        MetricDataQueries: [{ Id: 'm1', MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 300, Stat: 'Sum' } }],
        MaxDatapoints: 100800,
      }),
    );
    expect(normalize(out.MetricDataResults)).toEqual(normalize(result.MetricDataResults));
    expect(handler.captured!.input.MaxDatapoints).toBe(100800);
  });

  it('sends query-compatible errors', async () => {
    handler.respond(new ServiceError('ResourceNotFound', 'The alarm does not exist.'));
    const err = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['x'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFound);
    expect((err as ResourceNotFound).$metadata.httpStatusCode).toBe(404);
  });
});
