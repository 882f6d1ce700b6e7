import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricDataCommand, DescribeAlarmsCommand, ResourceNotFound } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient, ListRolesCommand, NoSuchEntityException, GetRoleCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/core/errors.js';
import { normalize, OracleHandler, oracleConfig } from '../../helpers/oracle.js';

const role = {
  Path: '/service-role/',
  RoleName: 'CodeBuildRole',
  RoleId: 'AROAEXAMPLE1234567890',
  Arn: 'arn:aws:iam::000000000000:role/service-role/CodeBuildRole',
  CreateDate: new Date('2024-01-02T03:04:05Z'),
  AssumeRolePolicyDocument: '%7B%22Version%22%3A%222012-10-17%22%7D',
  MaxSessionDuration: 3600,
  Tags: [{ Key: 'team', Value: 'a&b <c>' }],
};

describe('query codec (IAM, STS, SNS, CloudFormation, CloudWatch), with the SDK as oracle', () => {
  it('parses list members and serializes a wrapped result', async () => {
    const handler = new OracleHandler();
    const client = new IAMClient(oracleConfig(handler));
    const input = {
      RoleName: 'CodeBuildRole',
      Path: '/service-role/',
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
      Description: 'line one\nline "two" & more',
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'web' }, { Key: 'env', Value: 'prod' }],
    };
    handler.respond({ Role: role });
    const out = await client.send(new CreateRoleCommand(input));
    expect(handler.captured).toMatchObject({ service: 'iam', protocol: 'query', operation: 'CreateRole' });
    expect(normalize(handler.captured!.input)).toEqual(normalize(input));
    expect(normalize(out.Role)).toEqual(normalize(role));
  });

  it('serializes lists of structures and pagination markers', async () => {
    const handler = new OracleHandler();
    const client = new IAMClient(oracleConfig(handler));
    handler.respond({ Roles: [role, { ...role, RoleName: 'Other', Tags: undefined }], IsTruncated: true, Marker: 'abc' });
    const out = await client.send(new ListRolesCommand({ MaxItems: 2, PathPrefix: '/' }));
    expect(handler.captured!.input).toEqual({ MaxItems: 2, PathPrefix: '/' });
    expect(out.Roles?.map((r) => r.RoleName)).toEqual(['CodeBuildRole', 'Other']);
    expect(out.IsTruncated).toBe(true);
    expect(out.Marker).toBe('abc');
  });

  it('maps a modeled error code (NoSuchEntity) to the SDK exception with its status', async () => {
    const handler = new OracleHandler();
    const client = new IAMClient(oracleConfig(handler));
    handler.respond(new ServiceError('NoSuchEntityException', 'The role with name X cannot be found.'));
    const err = await client.send(new GetRoleCommand({ RoleName: 'X' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoSuchEntityException);
    expect((err as NoSuchEntityException).$metadata.httpStatusCode).toBe(404);
    expect((err as Error).message).toBe('The role with name X cannot be found.');
  });

  it('round-trips STS credentials with their expiration', async () => {
    const handler = new OracleHandler();
    const client = new STSClient(oracleConfig(handler));
    const creds = { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date('2030-01-01T00:00:00.123Z') };
    handler.respond({ Credentials: creds, AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: 'arn:aws:sts::000000000000:assumed-role/R/s' } });
    const out = await client.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/R', RoleSessionName: 's', DurationSeconds: 900 }));
    expect(handler.captured!.input).toEqual({ RoleArn: 'arn:aws:iam::000000000000:role/R', RoleSessionName: 's', DurationSeconds: 900 });
    expect(normalize(out.Credentials)).toEqual(normalize(creds));
  });

  it('parses maps sent as entry.N.key/value (SNS message attributes)', async () => {
    const handler = new OracleHandler();
    const client = new SNSClient(oracleConfig(handler));
    handler.respond({ MessageId: 'mid' });
    const attrs = { kind: { DataType: 'String', StringValue: 'deploy' }, raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) } };
    const out = await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'hi', MessageAttributes: attrs }));
    expect(normalize(handler.captured!.input.MessageAttributes)).toEqual(normalize(attrs));
    expect(out.MessageId).toBe('mid');
  });

  it('parses nested member lists (CloudFormation parameters and capabilities)', async () => {
    const handler = new OracleHandler();
    const client = new CloudFormationClient(oracleConfig(handler));
    handler.respond({ StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/my-stack/1' });
    const input = {
      StackName: 'my-stack',
      TemplateBody: 'Resources: {}',
      Parameters: [{ ParameterKey: 'EnvironmentName', ParameterValue: 'prod' }],
      Capabilities: ['CAPABILITY_IAM' as const],
      Tags: [{ Key: 'k', Value: 'v' }],
    };
    const out = await client.send(new CreateStackCommand(input));
    expect(normalize(handler.captured!.input)).toEqual(normalize(input));
    expect(out.StackId).toContain('stack/my-stack');
  });

  it('serves CloudWatch over the query protocol too (older SDKs)', async () => {
    const handler = new OracleHandler();
    const client = new CloudWatchClient({ ...oracleConfig(handler), protocol: AwsQueryProtocol });
    handler.respond({});
    const input = {
      Namespace: 'MyApplication',
      MetricData: [
        { MetricName: 'ProcessedRecords', Value: 123, Unit: 'Count' as const, Timestamp: new Date('2024-05-01T00:00:00Z'), Dimensions: [{ Name: 'Env', Value: 'prod' }] },
      ],
    };
    await client.send(new PutMetricDataCommand(input));
    expect(handler.captured).toMatchObject({ service: 'cloudwatch', protocol: 'query', operation: 'PutMetricData' });
    expect(normalize(handler.captured!.input)).toEqual(normalize(input));
    handler.respond(new ServiceError('ResourceNotFound', 'no such alarm'));
    const err = await client.send(new DescribeAlarmsCommand({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFound);
  });
});

describe('ec2 codec, with the SDK as oracle', () => {
  it('parses flattened lists named by queryName and serializes item lists', async () => {
    const handler = new OracleHandler();
    const client = new EC2Client(oracleConfig(handler));
    const input = {
      ImageId: 'ami-0c55b159cbfafe1f0',
      InstanceType: 't3.micro' as const,
      MinCount: 3,
      MaxCount: 3,
      TagSpecifications: [{ ResourceType: 'instance' as const, Tags: [{ Key: 'Name', Value: 'WebServer' }] }],
      UserData: 'IyEvYmluL2Jhc2g=',
      SecurityGroupIds: ['sg-1', 'sg-2'],
    };
    const instance = { InstanceId: 'i-0123456789abcdef0', ImageId: input.ImageId, State: { Code: 16, Name: 'running' }, LaunchTime: new Date('2024-01-01T00:00:00Z'), Tags: [{ Key: 'Name', Value: 'WebServer' }], PrivateIpAddress: '127.0.1.2' };
    handler.respond({ ReservationId: 'r-1', OwnerId: '000000000000', Instances: [instance] });
    const out = await client.send(new RunInstancesCommand(input));
    expect(handler.captured).toMatchObject({ service: 'ec2', protocol: 'ec2', operation: 'RunInstances' });
    // The SDK fills in the idempotency token the model marks.
    expect(normalize(handler.captured!.input)).toEqual({ ...(normalize(input) as object), ClientToken: expect.any(String) });
    expect(normalize(out.Instances)).toEqual(normalize([instance]));
    handler.respond({ Reservations: [{ ReservationId: 'r-1', Instances: [instance] }] });
    const described = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['WebServer'] }] }));
    expect(normalize(handler.captured!.input)).toEqual({ Filters: [{ Name: 'tag:Name', Values: ['WebServer'] }] });
    expect(described.Reservations?.[0].Instances?.[0].InstanceId).toBe('i-0123456789abcdef0');
  });
});
