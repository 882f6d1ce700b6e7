import { describe, expect, it } from 'vitest';
import { checkTransformer, InputError, targetInput, type InputContext } from '../../../src/services/events/input-transform.js';
import { evaluateJsonPath } from '../../../src/services/events/json-path.js';

// The EC2 event and paths from the EventBridge user guide's input transformation examples.
const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const ctx: InputContext = { event, ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example', ruleName: 'example', ingestionTime: '2015-11-11T21:29:55Z' };
const InputPathsMap = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const run = (InputTemplate: string, paths: Record<string, string> = InputPathsMap) => targetInput({ InputTransformer: { InputPathsMap: paths, InputTemplate } }, ctx);

describe('input transformer (AWS documented examples)', () => {
  it.each([
    ['simple string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    ['string with escaped quotes', '"instance \\"<instance>\\" is in <state>"', '"instance \\"i-0123456789\\" is in RUNNING"'],
    ['simple JSON', '{"instance" : <instance>, "state": <state>}', '{"instance" : "i-0123456789", "state": "RUNNING"}'],
    [
      'JSON with strings and variables',
      '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
      '{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    ['JSON with static information', '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}', '{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}'],
    ['reserved variables in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
    ['plain text', 'instance <instance> is in <state>', 'instance i-0123456789 is in RUNNING'],
    ['an object variable', '{"d": <detail>}', '{"d": {"instance-id":"i-0123456789","state":"RUNNING"}}'],
    ['a path absent from the event', '{"x": <missing>, "s": "[<missing>]"}', '{"x": null, "s": "[]"}'],
    ['an unknown placeholder stays as written', '"a <b> c"', '"a <b> c"'],
  ])('%s', (_name, template, expected) => {
    expect(run(template, { ...InputPathsMap, detail: '$.detail', missing: '$.detail.nope' })).toBe(expected);
  });

  it('reserved variables in JSON', () => {
    const out = JSON.parse(run('{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event>, "full": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}'));
    expect(out.ruleArn).toBe(ctx.ruleArn);
    expect(out.ruleName).toBe('example');
    expect(out.originalEvent.id).toBe(event.id);
    expect(out.originalEvent.detail).toBeUndefined();
    expect(out.full).toEqual(event);
    expect(out.at).toBe('2015-11-11T21:29:55Z');
  });
});

describe('Input, InputPath and the default', () => {
  it('sends the whole event by default', () => expect(JSON.parse(targetInput({}, ctx))).toEqual(event));
  it('sends constant Input as given', () => expect(targetInput({ Input: '{"a":1}' }, ctx)).toBe('{"a":1}'));
  it('sends the InputPath selection as JSON', () => {
    expect(targetInput({ InputPath: '$.detail' }, ctx)).toBe('{"instance-id":"i-0123456789","state":"RUNNING"}');
    expect(targetInput({ InputPath: '$.detail.state' }, ctx)).toBe('"RUNNING"');
  });
});

describe('JSON paths', () => {
  it.each([
    ['$', event],
    ['$.detail.instance-id', 'i-0123456789'],
    ['$.resources[0]', event.resources[0]],
    ["$['detail-type']", event['detail-type']],
    ['$.resources[*]', event.resources],
    ['$.detail.*', ['i-0123456789', 'RUNNING']],
    ['$.nope.deeper', undefined],
  ])('%s', (path, expected) => expect(evaluateJsonPath(event, path)).toEqual(expected));
});

describe('transformers are checked when targets are put', () => {
  it.each([
    [{ InputPathsMap: { 'aws.events.rule-arn': '$.x' }, InputTemplate: '"x"' }, 'reserved'],
    [{ InputPathsMap: { a: 'detail' }, InputTemplate: '"x"' }, 'must start with $'],
    [{ InputPathsMap: { a: '$.detail' }, InputTemplate: '{"a": <a>' }, 'not valid JSON'],
  ])('%j', (t, message) => {
    expect(() => checkTransformer(t)).toThrow(InputError);
    expect(() => checkTransformer(t)).toThrow(message);
  });
  it('accepts the documented templates', () => {
    expect(() => checkTransformer({ InputPathsMap, InputTemplate: '{"instance" : <instance>, "state": "<state>", "x": <aws.events.event>}' })).not.toThrow();
  });
});
