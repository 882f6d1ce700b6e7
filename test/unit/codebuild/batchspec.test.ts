import { describe, expect, it } from 'vitest';
import { parseBatch } from '../../../src/services/codebuild/batchspec.js';

const spec = (batch: string) => `version: 0.2\nbatch:\n${batch}\nphases:\n  build:\n    commands:\n      - "true"\n`;

describe('parseBatch: the buildspec batch section', () => {
  it('reads a build-list (AWS documentation example shape)', () => {
    const plan = parseBatch(spec([
      '  fast-fail: false',
      '  build-list:',
      '    - identifier: build1',
      '      env:',
      '        variables:',
      '          BUILD_ID: build1',
      '      ignore-failure: false',
      '    - identifier: build2',
      '      buildspec: build2.yml',
      '      env:',
      '        image: aws/codebuild/amazonlinux2-x86_64-standard:5.0',
      '        compute-type: BUILD_GENERAL1_MEDIUM',
      '        privileged-mode: true',
      '      ignore-failure: true',
    ].join('\n')));
    expect(plan).toEqual({
      fastFail: false,
      combineArtifacts: false,
      groups: [
        { identifier: 'build1', dependsOn: [], ignoreFailure: false, buildspec: undefined, env: { image: undefined, computeType: undefined, type: undefined, privilegedMode: undefined, variables: { BUILD_ID: 'build1' } } },
        { identifier: 'build2', dependsOn: [], ignoreFailure: true, buildspec: 'build2.yml', env: { image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0', computeType: 'BUILD_GENERAL1_MEDIUM', type: undefined, privilegedMode: true, variables: {} } },
      ],
    });
  });

  it('multiplies a dynamic build-matrix out, first list slowest, with the static settings in every build', () => {
    const plan = parseBatch(spec([
      '  build-matrix:',
      '    static:',
      '      ignore-failure: true',
      '      env:',
      '        compute-type: BUILD_GENERAL1_SMALL',
      '    dynamic:',
      '      buildspec:',
      '        - matrix1.yml',
      '        - matrix2.yml',
      '      env:',
      '        variables:',
      '          MY_VAR:',
      '            - VALUE1',
      '            - VALUE2',
      '            - VALUE3',
    ].join('\n')));
    expect(plan.groups.map((g) => [g.identifier, g.buildspec, g.env.variables.MY_VAR, g.env.computeType, g.ignoreFailure])).toEqual([
      ['build1', 'matrix1.yml', 'VALUE1', 'BUILD_GENERAL1_SMALL', true],
      ['build2', 'matrix1.yml', 'VALUE2', 'BUILD_GENERAL1_SMALL', true],
      ['build3', 'matrix1.yml', 'VALUE3', 'BUILD_GENERAL1_SMALL', true],
      ['build4', 'matrix2.yml', 'VALUE1', 'BUILD_GENERAL1_SMALL', true],
      ['build5', 'matrix2.yml', 'VALUE2', 'BUILD_GENERAL1_SMALL', true],
      ['build6', 'matrix2.yml', 'VALUE3', 'BUILD_GENERAL1_SMALL', true],
    ]);
  });

  it('keeps a build-graph\'s dependencies', () => {
    const plan = parseBatch(spec(['  build-graph:', '    - identifier: a', '    - identifier: b', '      depend-on:', '        - a'].join('\n')));
    expect(plan.groups.map((g) => [g.identifier, g.dependsOn])).toEqual([['a', []], ['b', ['a']]]);
  });

  it.each([
    ['no batch section', 'version: 0.2\nphases:\n  build:\n    commands:\n      - "true"\n', /no batch section/],
    ['two kinds at once', spec('  build-list:\n    - identifier: a\n  build-graph:\n    - identifier: b'), /exactly one of/],
    ['a missing identifier', spec('  build-list:\n    - env:\n        variables:\n          A: b'), /identifier is required/],
    ['a bad identifier', spec('  build-list:\n    - identifier: has-dash'), /letters, digits and underscores/],
    ['a dependency on an unknown build', spec('  build-graph:\n    - identifier: a\n      depend-on: [z]'), /depends on z, which is not in the graph/],
    ['a cycle', spec('  build-graph:\n    - identifier: a\n      depend-on: [b]\n    - identifier: b\n      depend-on: [a]'), /dependency cycle/],
    ['depend-on in a list', spec('  build-list:\n    - identifier: a\n    - identifier: b\n      depend-on: [a]'), /only valid in a build-graph/],
    ['duplicate identifiers', spec('  build-list:\n    - identifier: a\n    - identifier: a'), /must be unique/],
    ['build-fanout', spec('  build-fanout:\n    parallelism: 2'), /not supported/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseBatch(text)).toThrow(message);
  });
});
