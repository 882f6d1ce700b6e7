import { describe, expect, it } from 'vitest';
import { parseFunctionName } from '../../../src/services/lambda/names.js';
import { pickVersion, routingProblem } from '../../../src/services/lambda/routing.js';
import { LambdaMetrics } from '../../../src/services/lambda/metrics.js';

describe('alias routing', () => {
  it.each([
    ['1', undefined, undefined],
    ['1', {}, undefined],
    ['1', { '2': 0.1 }, undefined],
    ['1', { '2': 0 }, undefined],
    ['1', { '2': 1 }, undefined],
    ['1', { '2': 0.1, '3': 0.2 }, 'exceeds the maximum limit of 1'],
    ['$LATEST', { '2': 0.1 }, '$LATEST is not supported for an alias pointing to more than 1 version'],
    ['1', { $LATEST: 0.1 }, '$LATEST is not supported'],
    ['1', { live: 0.1 }, 'regular expression pattern: [0-9]+'],
    ['1', { '2': 1.5 }, 'less than or equal to 1.0'],
    ['1', { '2': -0.1 }, 'greater than or equal to 0.0'],
    ['1', { '1': 0.5 }, 'already included in routing configuration'],
  ])('primary %s with %j -> %s', (primary, weights, problem) => {
    const got = routingProblem(primary, weights as Record<string, number> | undefined);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });

  it.each([
    [0, '2'],
    [0.099, '2'],
    [0.1, '1'],
    [0.999, '1'],
  ])('roll %d with 10%% on version 2 runs version %s', (roll, version) => {
    expect(pickVersion('1', { '2': 0.1 }, roll)).toBe(version);
  });

  it('runs the primary when there is no routing', () => {
    expect(pickVersion('3', undefined, 0)).toBe('3');
  });
});

describe('function names', () => {
  it.each([
    ['my-function', undefined, { name: 'my-function', qualifier: undefined }],
    ['my-function:live', undefined, { name: 'my-function', qualifier: 'live' }],
    ['my-function', '3', { name: 'my-function', qualifier: '3' }],
    ['123456789012:function:my-function', undefined, { name: 'my-function', qualifier: undefined }],
    ['arn:aws:lambda:us-west-2:123456789012:function:my-function', undefined, { name: 'my-function', qualifier: undefined }],
    ['arn:aws:lambda:us-west-2:123456789012:function:my-function:$LATEST', undefined, { name: 'my-function', qualifier: '$LATEST' }],
    ['arn:aws:lambda:us-west-2:123456789012:function:my-function:live', 'live', { name: 'my-function', qualifier: 'live' }],
  ])('%s (qualifier %s)', (text, qualifier, expected) => {
    expect(parseFunctionName(text, qualifier)).toEqual(expected);
  });

  it('refuses a qualifier that contradicts the ARN', () => {
    expect(() => parseFunctionName('f:live', '2')).toThrow('The derived qualifier from the function name does not match the specified qualifier.');
  });
});

describe('AWS/Lambda metrics', () => {
  it('sums invocations under the function, resource and executed-version dimension sets', () => {
    const m = new LambdaMetrics();
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    m.record({ scope, functionName: 'f', resource: 'f:live', executedVersion: '2', durationMs: 10, error: true });
    m.record({ scope, functionName: 'f', resource: 'f:live', executedVersion: '1', durationMs: 30 });
    m.record({ scope, functionName: 'f', throttled: true });
    const data = m.drain(0)[0]!.data;
    const find = (name: string, dims: string[]) => data.find((d) => d.MetricName === name && d.Dimensions?.map((x) => x.Value).join(',') === dims.join(','));
    expect(find('Invocations', ['f'])?.Value).toBe(2);
    expect(find('Errors', ['f'])?.Value).toBe(1);
    expect(find('Throttles', ['f'])?.Value).toBe(1);
    expect(find('Duration', ['f'])?.StatisticValues?.Sum).toBe(40);
    expect(find('Invocations', ['f', 'f:live'])?.Value).toBe(2);
    expect(find('Errors', ['f', 'f:live', '2'])?.Value).toBe(1);
    expect(find('Errors', ['f', 'f:live', '1'])?.Value).toBe(0);
    expect(m.drain(0)).toEqual([]);
  });
});
