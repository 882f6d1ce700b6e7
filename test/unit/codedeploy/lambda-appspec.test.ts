import { describe, expect, it } from 'vitest';
import { AppSpecError, parseLambdaAppSpec } from '../../../src/services/codedeploy/lambda-appspec.js';

const YAML = `version: 0.0
Resources:
  - myLambdaFunction:
      Type: AWS::Lambda::Function
      Properties:
        Name: "myLambdaFunction"
        Alias: "myLambdaFunctionAlias"
        CurrentVersion: "1"
        TargetVersion: "2"
Hooks:
  - BeforeAllowTraffic: "LambdaFunctionToValidateBeforeTrafficShift"
  - AfterAllowTraffic: "LambdaFunctionToValidateAfterTrafficShift"
`;

const JSON_SPEC = JSON.stringify({
  version: 0.0,
  Resources: [{ myLambdaFunction: { Type: 'AWS::Lambda::Function', Properties: { Name: 'myLambdaFunction', Alias: 'live', CurrentVersion: '1', TargetVersion: '2' } } }],
  Hooks: [{ BeforeAllowTraffic: 'pre' }],
});

describe('Lambda AppSpec', () => {
  it("reads AWS's documented YAML example", () => {
    expect(parseLambdaAppSpec(YAML)).toEqual({
      functionName: 'myLambdaFunction', alias: 'myLambdaFunctionAlias', currentVersion: '1', targetVersion: '2',
      hooks: { BeforeAllowTraffic: 'LambdaFunctionToValidateBeforeTrafficShift', AfterAllowTraffic: 'LambdaFunctionToValidateAfterTrafficShift' },
    });
  });

  it('reads JSON, lower-case keys and numeric versions', () => {
    expect(parseLambdaAppSpec(JSON_SPEC)).toMatchObject({ alias: 'live', hooks: { BeforeAllowTraffic: 'pre' } });
    const lower = 'version: 0.0\nresources:\n  - f:\n      type: AWS::Lambda::Function\n      properties: {name: fn, alias: live, currentversion: 3, targetversion: 4}\n';
    expect(parseLambdaAppSpec(lower)).toMatchObject({ functionName: 'fn', currentVersion: '3', targetVersion: '4', hooks: {} });
  });

  const bad: [string, string, RegExp][] = [
    ['not YAML', 'version: [0.0', /not valid YAML or JSON/],
    ['a list', '- a\n- b', /must be a YAML or JSON object/],
    ['no version', YAML.replace('version: 0.0\n', ''), /missing its version/],
    ['version 1.0', YAML.replace('version: 0.0', 'version: 1.0'), /version must be 0.0, got 1/],
    ['no resources', 'version: 0.0\n', /no Resources section/],
    ['two resources', YAML.replace('Hooks:', '  - other:\n      Type: AWS::Lambda::Function\nHooks:'), /names 2 resources/],
    ['an ECS resource', YAML.replace('AWS::Lambda::Function', 'AWS::ECS::Service'), /Resources.myLambdaFunction.Type must be AWS::Lambda::Function/],
    ['no alias', YAML.replace('        Alias: "myLambdaFunctionAlias"\n', ''), /missing Resources.myLambdaFunction.Properties.Alias/],
    ['a $LATEST version', YAML.replace('TargetVersion: "2"', 'TargetVersion: "$LATEST"'), /TargetVersion must be a published version number/],
    ['the same versions', YAML.replace('TargetVersion: "2"', 'TargetVersion: "1"'), /CurrentVersion and TargetVersion are both 1/],
    ['a reserved event hook', YAML.replace('AfterAllowTraffic:', 'AllowTraffic:'), /Hooks\[1\]: AllowTraffic is run by CodeDeploy/],
    ['an EC2 event hook', YAML.replace('AfterAllowTraffic:', 'ApplicationStart:'), /ApplicationStart is not a Lambda lifecycle event/],
    ['a hook without a function', YAML.replace('"LambdaFunctionToValidateAfterTrafficShift"', '""'), /Hooks\[1\].AfterAllowTraffic must name a Lambda function/],
    ['a hook given twice', YAML.replace('AfterAllowTraffic:', 'BeforeAllowTraffic:'), /BeforeAllowTraffic is given more than once/],
  ];
  it.each(bad)('refuses %s, naming the problem', (_, content, message) => {
    expect(() => parseLambdaAppSpec(content)).toThrow(AppSpecError);
    expect(() => parseLambdaAppSpec(content)).toThrow(message);
  });
});
