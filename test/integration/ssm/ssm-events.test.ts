import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PutEventsRequestEntry } from '../../../src/aws/models/generated/events.js';
import { SERVICES } from '../../../src/services/registry.js';
import type { ServiceDefinition } from '../../../src/services/service.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';

/** An EventBridge stand-in that records what PutEvents receives. */
const received: PutEventsRequestEntry[] = [];
const recordingEvents: ServiceDefinition = {
  name: 'events',
  create: () => ({
    provider: {
      async PutEvents(input: { Entries: PutEventsRequestEntry[] }) {
        received.push(...input.Entries);
        return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) };
      },
    },
  }),
};

describe('Parameter Store Change events', () => {
  let sw: TestSlipway;
  let ssm: SSMClient;

  beforeAll(async () => {
    sw = await startSlipway({ services: [...SERVICES.filter((s) => s.name !== 'events'), recordingEvents] });
    ssm = new SSMClient(sdkConfig(sw.url));
  });
  afterAll(() => sw.close());

  it('sends Create, Update and Delete to EventBridge without the value', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/key', Value: 'top-secret', Type: 'SecureString', Description: 'api key' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/key', Value: 'top-secret-2', Overwrite: true }));
    await ssm.send(new DeleteParameterCommand({ Name: '/app/key' }));
    expect(received.map((e) => [e.Source, e.DetailType, JSON.parse(e.Detail!)])).toEqual([
      ['aws.ssm', 'Parameter Store Change', { operation: 'Create', name: '/app/key', type: 'SecureString', description: 'api key' }],
      ['aws.ssm', 'Parameter Store Change', { operation: 'Update', name: '/app/key', type: 'SecureString', description: 'api key' }],
      ['aws.ssm', 'Parameter Store Change', { operation: 'Delete', name: '/app/key', type: 'SecureString', description: 'api key' }],
    ]);
    expect(received[0].Resources).toEqual(['arn:aws:ssm:us-east-1:000000000000:parameter/app/key']);
    expect(JSON.stringify(received)).not.toContain('top-secret');
  });
});
