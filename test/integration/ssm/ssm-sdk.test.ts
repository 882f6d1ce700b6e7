import {
  AddTagsToResourceCommand, DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand, GetParameterHistoryCommand, GetParametersByPathCommand,
  GetParametersCommand, HierarchyLevelLimitExceededException, InvalidFilterKey, InvalidNextToken, LabelParameterVersionCommand, ListTagsForResourceCommand,
  ParameterAlreadyExists, ParameterMaxVersionLimitExceeded, ParameterNotFound, ParameterPatternMismatchException, ParameterVersionLabelLimitExceeded,
  PutParameterCommand, RemoveTagsFromResourceCommand, SSMClient, UnlabelParameterVersionCommand, type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

describe('SSM Parameter Store through the SDK v3 client', () => {
  let sw: TestSlipway;
  let ssm: SSMClient;
  const clock = new ManualClock(Date.UTC(2024, 5, 1));
  const put = (input: PutParameterCommandInput) => ssm.send(new PutParameterCommand(input));

  beforeAll(async () => {
    sw = await startSlipway({ clock });
    ssm = new SSMClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('stores metadata, keeps it across overwrites and stamps times from the clock', async () => {
    await put({ Name: '/svc/url', Value: 'http://a', Type: 'String', Description: 'service url', AllowedPattern: '^http://.*$', Tags: [{ Key: 'team', Value: 'ops' }] });
    clock.advance(60_000);
    expect((await put({ Name: '/svc/url', Value: 'http://b', Overwrite: true })).Version).toBe(2);
    await expect(put({ Name: '/svc/url', Value: 'ftp://c', Overwrite: true })).rejects.toBeInstanceOf(ParameterPatternMismatchException);
    await expect(put({ Name: '/svc/url', Value: 'http://c', Type: 'String' })).rejects.toBeInstanceOf(ParameterAlreadyExists);
    const { Parameters } = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/svc/url'] }] }));
    expect(Parameters).toHaveLength(1);
    expect(Parameters![0]).toMatchObject({
      Name: '/svc/url', Type: 'String', Description: 'service url', AllowedPattern: '^http://.*$', Version: 2, Tier: 'Standard', DataType: 'text',
      LastModifiedUser: 'arn:aws:iam::000000000000:root',
    });
    expect(Parameters![0].LastModifiedDate!.getTime()).toBe(Date.UTC(2024, 5, 1) + 60_000);
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/svc/url' }));
    expect(history.Parameters!.map((p) => [p.Version, p.Value, p.LastModifiedDate!.getTime()])).toEqual([
      [1, 'http://a', Date.UTC(2024, 5, 1)], [2, 'http://b', Date.UTC(2024, 5, 1) + 60_000],
    ]);
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/url' }));
    expect(tags.TagList).toEqual([{ Key: 'team', Value: 'ops' }]);
  });

  it('refuses tags together with overwrite, and edits tags separately', async () => {
    await expect(put({ Name: '/svc/url', Value: 'http://d', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })).rejects.toThrow(/tags and overwrite can't be used together/);
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/url', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'dev' }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/url', TagKeys: ['env'] }));
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/url' }));
    expect(tags.TagList).toEqual([{ Key: 'team', Value: 'dev' }]);
    await expect(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/nope' }))).rejects.toMatchObject({ name: 'InvalidResourceId' });
  });

  it('moves labels between versions and limits them to ten per version', async () => {
    await put({ Name: '/svc/mode', Value: 'blue', Type: 'String' });
    await put({ Name: '/svc/mode', Value: 'green', Overwrite: true });
    await ssm.send(new LabelParameterVersionCommand({ Name: '/svc/mode', ParameterVersion: 1, Labels: ['live'] }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/svc/mode:live' }))).Parameter?.Value).toBe('blue');
    const moved = await ssm.send(new LabelParameterVersionCommand({ Name: '/svc/mode', Labels: ['live'] }));
    expect(moved.ParameterVersion).toBe(2);
    expect((await ssm.send(new GetParameterCommand({ Name: '/svc/mode:live' }))).Parameter?.Value).toBe('green');
    const labels = Array.from({ length: 10 }, (_, i) => `l${i}`);
    await expect(ssm.send(new LabelParameterVersionCommand({ Name: '/svc/mode', ParameterVersion: 2, Labels: labels }))).rejects.toBeInstanceOf(
      ParameterVersionLabelLimitExceeded,
    );
    const removed = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/svc/mode', ParameterVersion: 2, Labels: ['live', 'ghost'] }));
    expect(removed).toMatchObject({ RemovedLabels: ['live'], InvalidLabels: ['ghost'] });
    await expect(ssm.send(new GetParameterCommand({ Name: '/svc/mode:live' }))).rejects.toBeInstanceOf(ParameterNotFound);
    const filtered = await ssm.send(new GetParametersByPathCommand({ Path: '/svc', ParameterFilters: [{ Key: 'Label', Values: ['live'] }] }));
    expect(filtered.Parameters).toEqual([]);
  });

  it('keeps 100 versions, and will not drop a labelled oldest one', async () => {
    await put({ Name: '/svc/counter', Value: '1', Type: 'String' });
    for (let i = 2; i <= 100; i++) await put({ Name: '/svc/counter', Value: String(i), Overwrite: true });
    await ssm.send(new LabelParameterVersionCommand({ Name: '/svc/counter', ParameterVersion: 1, Labels: ['first'] }));
    await expect(put({ Name: '/svc/counter', Value: '101', Overwrite: true })).rejects.toBeInstanceOf(ParameterMaxVersionLimitExceeded);
    await ssm.send(new UnlabelParameterVersionCommand({ Name: '/svc/counter', ParameterVersion: 1, Labels: ['first'] }));
    expect((await put({ Name: '/svc/counter', Value: '101', Overwrite: true })).Version).toBe(101);
    const page = await ssm.send(new GetParameterHistoryCommand({ Name: '/svc/counter', MaxResults: 50 }));
    expect(page.Parameters![0].Version).toBe(2);
    const rest = await ssm.send(new GetParameterHistoryCommand({ Name: '/svc/counter', MaxResults: 50, NextToken: page.NextToken }));
    expect(rest.Parameters!.at(-1)!.Version).toBe(101);
    expect(rest.NextToken).toBeUndefined();
  });

  it('pages through paths and descriptions', async () => {
    for (let i = 0; i < 25; i++) await put({ Name: `/fleet/host-${String(i).padStart(2, '0')}`, Value: `10.0.0.${i}`, Type: 'String' });
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await ssm.send(new GetParametersByPathCommand({ Path: '/fleet', NextToken: token }));
      expect(page.Parameters!.length).toBeLessThanOrEqual(10);
      names.push(...page.Parameters!.map((p) => p.Name!));
      token = page.NextToken;
    } while (token);
    expect(names).toHaveLength(25);
    expect(names[24]).toBe('/fleet/host-24');
    const described = await ssm.send(new DescribeParametersCommand({ MaxResults: 7, ParameterFilters: [{ Key: 'Path', Values: ['/fleet'] }] }));
    expect(described.Parameters).toHaveLength(7);
    expect(described.NextToken).toBeDefined();
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/fleet', NextToken: 'garbage!' }))).rejects.toBeInstanceOf(InvalidNextToken);
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/fleet', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] }))).rejects.toBeInstanceOf(InvalidFilterKey);
  });

  it('handles tiers, secure strings with custom keys, and batch deletes', async () => {
    await expect(put({ Name: '/big/std', Value: 'x'.repeat(5000), Type: 'String' })).rejects.toThrow(/Standard tier parameters support a maximum parameter value of 4096/);
    expect((await put({ Name: '/big/adv', Value: 'x'.repeat(5000), Type: 'String', Tier: 'Advanced' })).Tier).toBe('Advanced');
    expect((await put({ Name: '/big/auto', Value: 'x'.repeat(5000), Type: 'String', Tier: 'Intelligent-Tiering' })).Tier).toBe('Advanced');
    await expect(put({ Name: '/big/adv', Value: 'small', Overwrite: true, Tier: 'Standard' })).rejects.toThrow(/can't downgrade/);
    await put({ Name: '/big/key', Value: 'k', Type: 'SecureString', KeyId: 'alias/my-key' });
    const d = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'KeyId', Values: ['alias/my-key'] }] }));
    expect(d.Parameters!.map((p) => p.Name)).toEqual(['/big/key']);
    const many = await ssm.send(new GetParametersCommand({ Names: ['/big/key', '/big/adv:1', '/big/adv:9'], WithDecryption: true }));
    expect(many.Parameters!.map((p) => [p.Name, p.Selector, p.Value?.length])).toEqual([['/big/key', undefined, 1], ['/big/adv', ':1', 5000]]);
    expect(many.InvalidParameters).toEqual(['/big/adv:9']);
    const del = await ssm.send(new DeleteParametersCommand({ Names: ['/big/adv', '/big/auto', '/big/none'] }));
    expect(del).toMatchObject({ DeletedParameters: ['/big/adv', '/big/auto'], InvalidParameters: ['/big/none'] });
    await expect(put({ Name: `/${Array.from({ length: 16 }, () => 'x').join('/')}`, Value: 'v', Type: 'String' })).rejects.toBeInstanceOf(
      HierarchyLevelLimitExceededException,
    );
  });

  it('reads Secrets Manager secrets through /aws/reference/secretsmanager/', async () => {
    await expect(ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/prod/api' }))).rejects.toThrow(/WithDecryption flag must be True/);
    await expect(ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/prod/api', WithDecryption: true }))).rejects.toBeInstanceOf(ParameterNotFound);
    await sw.slipway.aws.call('secretsmanager', 'CreateSecret', { Name: 'prod/api', SecretString: 'tok-123' }, { accountId: '000000000000', region: 'us-east-1' });
    const ref = await ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/prod/api', WithDecryption: true }));
    expect(ref.Parameter).toMatchObject({ Type: 'SecureString', Value: 'tok-123' });
    expect(ref.Parameter!.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod\/api-[A-Za-z0-9]{6}$/);
  });

  it('answers the in-process client (how CodeBuild reads env parameter-store and secrets-manager) exactly as the wire does', async () => {
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    await put({ Name: '/build/token', Value: 'tok', Type: 'SecureString' });
    const inProcess = await sw.slipway.aws.call<{ Parameters: { Name: string; Value: string; Version: number }[]; InvalidParameters: string[] }>(
      'ssm', 'GetParameters', { Names: ['/build/token', '/build/none'], WithDecryption: true }, scope,
    );
    const wire = await ssm.send(new GetParametersCommand({ Names: ['/build/token', '/build/none'], WithDecryption: true }));
    expect(inProcess.Parameters.map((p) => [p.Name, p.Value, p.Version])).toEqual(wire.Parameters!.map((p) => [p.Name, p.Value, p.Version]));
    expect(inProcess.InvalidParameters).toEqual(wire.InvalidParameters);
    const secret = await sw.slipway.aws.call<{ SecretString: string; VersionStages: string[] }>('secretsmanager', 'GetSecretValue', { SecretId: 'prod/api', VersionStage: 'AWSCURRENT' }, scope);
    expect(secret).toMatchObject({ SecretString: 'tok-123', VersionStages: ['AWSCURRENT'] });
  });
});
