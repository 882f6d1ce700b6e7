import type { ActionConfigurationProperty, ActionType, ActionTypeId } from '../../aws/models/generated/codepipeline.js';

/** A built-in (AWS-owned) action type: its configuration keys and artifact counts. */
export interface BuiltinType {
  id: ActionTypeId;
  required: string[];
  optional: string[];
  inputs: [number, number];
  outputs: [number, number];
  /** Slipway runs actions of this type; the others are accepted in pipelines and fail when run. */
  runs: boolean;
}

const t = (category: ActionTypeId['category'], provider: string, required: string[], optional: string[], inputs: [number, number], outputs: [number, number], runs = true): BuiltinType => ({
  id: { category, owner: 'AWS', provider, version: '1' },
  required,
  optional,
  inputs,
  outputs,
  runs,
});

const CODEBUILD_KEYS = ['PrimarySource', 'EnvironmentVariables', 'BatchEnabled', 'CombineArtifacts'];

/** AWS's action types (actions-valid-providers), with the configuration keys each accepts. */
export const BUILTIN_TYPES: BuiltinType[] = [
  t('Source', 'CodeCommit', ['RepositoryName', 'BranchName'], ['PollForSourceChanges', 'OutputArtifactFormat'], [0, 0], [1, 1]),
  t('Source', 'S3', ['S3Bucket', 'S3ObjectKey'], ['PollForSourceChanges', 'AllowOverrideForS3ObjectKey'], [0, 0], [1, 1]),
  t('Source', 'ECR', ['RepositoryName'], ['ImageTag'], [0, 0], [1, 1], false),
  t('Source', 'CodeStarSourceConnection', ['ConnectionArn', 'FullRepositoryId', 'BranchName'], ['OutputArtifactFormat', 'DetectChanges'], [0, 0], [1, 1], false),
  t('Build', 'CodeBuild', ['ProjectName'], CODEBUILD_KEYS, [1, 5], [0, 5]),
  t('Test', 'CodeBuild', ['ProjectName'], CODEBUILD_KEYS, [1, 5], [0, 5]),
  t('Deploy', 'CodeDeploy', ['ApplicationName', 'DeploymentGroupName'], [], [1, 1], [0, 0]),
  t('Deploy', 'S3', ['BucketName', 'Extract'], ['ObjectKey', 'KMSEncryptionKeyARN', 'CannedACL', 'CacheControl'], [1, 1], [0, 0]),
  t('Deploy', 'CloudFormation', ['ActionMode'], ['StackName', 'TemplatePath', 'Capabilities', 'RoleArn', 'ParameterOverrides', 'TemplateConfiguration', 'ChangeSetName', 'OutputFileName'], [0, 10], [0, 1], false),
  t('Deploy', 'ECS', ['ClusterName', 'ServiceName'], ['FileName', 'DeploymentTimeout'], [1, 1], [0, 0], false),
  t('Deploy', 'CodeDeployToECS', ['ApplicationName', 'DeploymentGroupName', 'TaskDefinitionTemplateArtifact', 'AppSpecTemplateArtifact'], ['TaskDefinitionTemplatePath', 'AppSpecTemplatePath', 'Image1ArtifactName', 'Image1ContainerName'], [1, 3], [0, 0], false),
  t('Approval', 'Manual', [], ['NotificationArn', 'CustomData', 'ExternalEntityLink'], [0, 0], [0, 0]),
  t('Invoke', 'Lambda', ['FunctionName'], ['UserParameters'], [0, 5], [0, 5]),
];

export function builtinType(id: ActionTypeId): BuiltinType | undefined {
  return BUILTIN_TYPES.find((b) => b.id.category === id.category && b.id.owner === id.owner && b.id.provider === id.provider && b.id.version === id.version);
}

/** ListActionTypes' view of a built-in type. */
export function builtinView(b: BuiltinType): ActionType {
  const prop = (name: string, required: boolean): ActionConfigurationProperty => ({ name, required, key: required, secret: false, queryable: false });
  return {
    id: b.id,
    settings: {},
    actionConfigurationProperties: [...b.required.map((n) => prop(n, true)), ...b.optional.map((n) => prop(n, false))],
    inputArtifactDetails: { minimumCount: b.inputs[0], maximumCount: b.inputs[1] },
    outputArtifactDetails: { minimumCount: b.outputs[0], maximumCount: b.outputs[1] },
  };
}
