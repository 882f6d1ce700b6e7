import { describe, expect, it } from 'vitest';
import { BuildspecError, parseBuildspec, parseOnFailure } from '../../../src/services/codebuild/buildspec.js';

const SEED = `version: 0.2
phases:
  pre_build:
    commands:
      - echo "Installing dependencies..."
      - npm install
  build:
    commands:
      - npm run test
  post_build:
    commands:
      - |
        if [ "$CODEBUILD_BUILD_SUCCEEDING" = "1" ]; then
        echo "Pushing to artifact repository..."
        fi
artifacts:
  files:
    - dist/**/*
    - package.json
  name: BuildArtifact
cache:
  paths:
    - node_modules/**/*
`;

describe('buildspec parsing', () => {
  it("reads the seed's buildspec", () => {
    const s = parseBuildspec(SEED);
    expect(s.version).toBe('0.2');
    expect(s.phases.pre_build!.commands).toEqual(['echo "Installing dependencies..."', 'npm install']);
    expect(s.phases.post_build!.commands[0]).toBe('if [ "$CODEBUILD_BUILD_SUCCEEDING" = "1" ]; then\necho "Pushing to artifact repository..."\nfi\n');
    expect(s.artifacts).toMatchObject({ files: ['dist/**/*', 'package.json'], name: 'BuildArtifact', discardPaths: false, secondary: {} });
    expect(s.cache).toEqual({ paths: ['node_modules/**/*'], key: undefined, fallbackKeys: [], action: undefined });
  });

  it('reads every section of the 0.2 reference', () => {
    const s = parseBuildspec(`version: 0.2
run-as: root
env:
  shell: bash
  variables: {JAVA_HOME: "/usr/lib/jvm", N: 3}
  parameter-store: {PW: /db/pw}
  secrets-manager: {TOKEN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:x:token:AWSCURRENT"}
  exported-variables: [IMAGE_TAG]
  git-credential-helper: yes
phases:
  install:
    runtime-versions: {nodejs: 18}
    on-failure: RETRY-2-timeout.*
  build:
    run-as: builder
    on-failure: CONTINUE
    commands: [make]
    finally: [echo done]
reports:
  unit: {files: ['**/*.xml'], base-directory: out, file-format: CucumberJson}
artifacts:
  files: '**/*'
  discard-paths: yes
  base-directory: 'build*'
  exclude-paths: ['*.tmp']
  enable-symlinks: yes
  s3-prefix: pre
  secondary-artifacts:
    extra: {files: [a], name: x}
cache:
  key: npm-$(codebuild-hash-files package-lock.json)
  fallback-keys: [npm-]
  action: restore
  paths: [node_modules/**/*]
`);
    expect(s.runAs).toBe('root');
    expect(s.env).toEqual({ shell: 'bash', variables: { JAVA_HOME: '/usr/lib/jvm', N: '3' }, parameterStore: { PW: '/db/pw' }, secretsManager: { TOKEN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:x:token:AWSCURRENT' }, exportedVariables: ['IMAGE_TAG'], gitCredentialHelper: true });
    expect(s.phases.install).toMatchObject({ commands: [], runtimeVersions: { nodejs: '18' }, onFailure: { mode: 'RETRY', retries: 2, pattern: /timeout.*/ } });
    expect(s.phases.build).toMatchObject({ runAs: 'builder', onFailure: { mode: 'CONTINUE' }, commands: ['make'], finally: ['echo done'] });
    expect(s.reports.unit).toEqual({ files: ['**/*.xml'], baseDirectory: 'out', discardPaths: false, fileFormat: 'CUCUMBERJSON' });
    expect(s.artifacts).toMatchObject({ files: ['**/*'], discardPaths: true, baseDirectory: 'build*', excludePaths: ['*.tmp'], enableSymlinks: true, s3Prefix: 'pre', secondary: { extra: { files: ['a'], name: 'x' } } });
    expect(s.cache).toEqual({ key: 'npm-$(codebuild-hash-files package-lock.json)', fallbackKeys: ['npm-'], action: 'restore', paths: ['node_modules/**/*'] });
  });

  it.each([
    ['', "The buildspec is empty at line 1"],
    ['version: 0.3\nphases: {}', "Invalid buildspec version '0.3': expected 0.2 or 0.1 at line 1"],
    ['version: 0.2\nphase:\n  build: {}', "Unknown key 'phase' in the buildspec at line 2"],
    ['version: 0.2\nphases:\n  compile:\n    commands: [x]', "Unknown key 'compile' in phases at line 3"],
    ['version: 0.2\nphases:\n  build:\n    commands:\n      - a\n      - [b]', 'Expected Commands[1] to be of string type: found subkeys instead at line 6, value of the key tag on line 5 might be empty'],
    ['version: 0.2\nphases:\n  build:\n    on-failure: SOMETIMES\n    commands: [a]', "Invalid value 'SOMETIMES' for phases.build.on-failure: expected ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex> at line 4"],
    ['version: 0.2\nenv:\n  shell: zsh', "Unsupported shell 'zsh' in env.shell: expected bash or /bin/sh at line 3"],
    ['version: 0.2\nenv:\n  exported-variables: [AWS_REGION]', "Cannot export reserved variable 'AWS_REGION' in env.exported-variables at line 3"],
    ['version: 0.2\nartifacts:\n  name: x', "Missing required key 'files' in artifacts at line 2"],
    ['version: 0.2\ncache:\n  key: k', "Missing required key 'paths' in cache at line 2"],
    ['version: 0.2\nreports:\n  r:\n    files: [a]\n    file-format: PDF', "Invalid file-format 'PDF' in reports.r at line 5"],
    ['version: 0.2\nphases:\n  build:\n    commands: [a]\n  build:\n    commands: [b]', "Duplicate key 'build' in phases at line 5"],
    ['version: 0.2\nenv:\n  variables: [A]', 'Expected env.variables to be a map at line 3'],
  ])('refuses %j', (text, message) => {
    expect(() => parseBuildspec(text)).toThrow(BuildspecError);
    expect(() => parseBuildspec(text)).toThrow(message);
  });
});

describe('on-failure values', () => {
  it.each([
    ['ABORT', { mode: 'ABORT', retries: 0 }],
    ['CONTINUE', { mode: 'CONTINUE', retries: 0 }],
    ['RETRY', { mode: 'RETRY', retries: 3 }],
    ['RETRY-5', { mode: 'RETRY', retries: 5, pattern: undefined }],
    ['RETRY-0', { mode: 'RETRY', retries: 0, pattern: undefined }],
    ['RETRY-.*timeout', { mode: 'RETRY', retries: 3, pattern: /.*timeout/ }],
    ['RETRY-2-exit status 1', { mode: 'RETRY', retries: 2, pattern: /exit status 1/ }],
  ])('%s', (text, expected) => expect(parseOnFailure(text)).toEqual(expected));

  it.each(['RETRY-101', 'retry', 'STOP', 'RETRY-1-('])('refuses %s', (text) => expect(parseOnFailure(text)).toBeUndefined());
});
