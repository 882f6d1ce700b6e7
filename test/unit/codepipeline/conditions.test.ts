import { describe, expect, it } from 'vitest';
import { evaluateConditions, variableCheck } from '../../../src/services/codepipeline/conditions.js';

const ns = { SourceVariables: { RepositoryName: 'MyDemoRepo', CommitMessage: 'update the docs' }, variables: { version: 'v1.10' } };

describe('VariableCheck', () => {
  it.each([
    // AWS's documented examples: the repository name EQ MyDemoRepo, the commit message CONTAINS update.
    [{ Variable: '#{SourceVariables.RepositoryName}', Operator: 'EQ', Value: 'MyDemoRepo' }, 'Succeeded'],
    [{ Variable: '#{SourceVariables.CommitMessage}', Operator: 'CONTAINS', Value: 'update' }, 'Succeeded'],
    [{ Variable: '#{SourceVariables.RepositoryName}', Operator: 'NE', Value: 'MyDemoRepo' }, 'Failed'],
    [{ Variable: '#{variables.version}', Operator: 'MATCHES', Value: '^v\\d+\\.\\d+$' }, 'Succeeded'],
    [{ Variable: '#{variables.version}', Operator: 'MATCHES', Value: '^v1\\.1$' }, 'Failed'],
    [{ Variable: 'release-#{variables.version}', Operator: 'EQ', Value: 'release-v1.10' }, 'Succeeded'],
  ])('%j: %s', (config, status) => {
    expect(variableCheck(config, ns).status).toBe(status);
  });

  it.each([
    [{ Variable: '#{Nope.X}', Operator: 'EQ', Value: 'a' }, 'could not be resolved'],
    [{ Variable: '#{variables.version}', Operator: 'GT', Value: 'a' }, 'operator GT'],
    [{ Variable: '#{variables.version}', Operator: 'MATCHES', Value: '(' }, 'not a valid regular expression'],
  ])('%j cannot be evaluated', (config, why) => {
    const r = variableCheck(config, ns);
    expect(r).toMatchObject({ status: 'Failed', errored: true });
    expect(r.summary).toContain(why);
  });
});

describe('condition evaluation', () => {
  const rule = (name: string, Value: string) => ({ name, ruleTypeId: { category: 'Rule' as const, provider: 'VariableCheck' }, configuration: { Variable: '#{SourceVariables.RepositoryName}', Operator: 'EQ', Value } });

  it('beforeEntry and onSuccess: the first condition not met applies', () => {
    const out = evaluateConditions('beforeEntry', [{ result: 'FAIL', rules: [rule('a', 'MyDemoRepo')] }, { result: 'SKIP', rules: [rule('b', 'Other')] }], ns, 0);
    expect(out.applies?.result).toBe('SKIP');
    expect(out.record).toMatchObject({ status: 'Failed', summary: expect.stringContaining('Rule b') });
  });

  it('onFailure: the first condition met applies', () => {
    expect(evaluateConditions('onFailure', [{ result: 'ROLLBACK', rules: [rule('a', 'Other')] }, { result: 'RETRY', rules: [rule('b', 'MyDemoRepo')] }], ns, 0).applies?.result).toBe('RETRY');
    expect(evaluateConditions('onFailure', [{ result: 'ROLLBACK', rules: [rule('a', 'Other')] }], ns, 0).applies).toBeUndefined();
  });
});
