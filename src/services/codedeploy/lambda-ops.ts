import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AwsClient } from '../../aws/gateway/aws-client.js';
import type { RequestContext } from '../../aws/gateway/context.js';
import type { CodedeployOperations, RevisionLocation } from '../../aws/models/generated/codedeploy.js';
import type { S3Operations } from '../../aws/models/generated/s3.js';
import { ServiceError } from '../../core/errors.js';
import type { DeploymentEngine } from './engine.js';
import { AppSpecError, parseLambdaAppSpec, type LambdaAppSpec } from './lambda-appspec.js';
import type { CodeDeployStore, GroupRecord } from './store.js';

const err = (code: string, message: string) => new ServiceError(code, message, { statusCode: 400 });
const MAX_APPSPEC = 64 * 1024;

async function s3Text(aws: AwsClient, ctx: RequestContext, rev: RevisionLocation): Promise<string> {
  const s3 = rev.s3Location;
  if (!s3?.bucket || !s3.key) throw err('InvalidRevisionException', 'The S3 revision needs a bucket and a key.');
  if (s3.bundleType !== 'YAML' && s3.bundleType !== 'JSON') throw err('InvalidRevisionException', `A Lambda deployment's S3 revision is its AppSpec file: bundleType must be YAML or JSON, got ${s3.bundleType ?? 'nothing'}.`);
  let out;
  try {
    out = await aws.service<S3Operations>('s3', ctx).GetObject({ Bucket: s3.bucket, Key: s3.key, VersionId: s3.version, IfMatch: s3.eTag });
  } catch (e) {
    throw err('InvalidRevisionException', `The AppSpec file s3://${s3.bucket}/${s3.key} could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const body = out.Body;
  if (!body) return '';
  if (!(body instanceof Readable)) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** A Lambda deployment's revision (AppSpecContent, String or an S3 YAML/JSON file) and the AppSpec it holds. */
export async function lambdaRevision(aws: AwsClient, ctx: RequestContext, rev: RevisionLocation | undefined): Promise<{ revision: RevisionLocation; spec: LambdaAppSpec }> {
  if (!rev) throw err('RevisionRequiredException', 'The revision ID was not specified.');
  let content: string;
  let sha256: string | undefined;
  if (rev.revisionType === 'AppSpecContent' || rev.revisionType === 'String') {
    const inline = rev.revisionType === 'AppSpecContent' ? rev.appSpecContent : rev.string;
    if (inline?.content === undefined) throw err('InvalidRevisionException', `The ${rev.revisionType} revision has no content: give the AppSpec file's text in ${rev.revisionType === 'AppSpecContent' ? 'appSpecContent' : 'string'}.content.`);
    content = inline.content;
    sha256 = inline.sha256;
  } else if (rev.revisionType === 'S3') {
    content = await s3Text(aws, ctx, rev);
  } else {
    throw err('InvalidRevisionException', `Revision type ${rev.revisionType ?? '(none)'} is not supported for Lambda deployments: use AppSpecContent, String or an S3 AppSpec file (bundleType YAML or JSON).`);
  }
  if (Buffer.byteLength(content) > MAX_APPSPEC) throw err('InvalidRevisionException', `The AppSpec file is larger than ${MAX_APPSPEC / 1024} KB.`);
  if (sha256 && createHash('sha256').update(content).digest('hex') !== sha256.toLowerCase()) {
    throw err('InvalidRevisionException', 'The SHA-256 hash given with the AppSpec content does not match the content.');
  }
  try {
    return { revision: rev, spec: parseLambdaAppSpec(content) };
  } catch (e) {
    if (e instanceof AppSpecError) throw err('InvalidRevisionException', `The AppSpec file is not valid for a Lambda deployment: ${e.message}`);
    throw e;
  }
}

/** A Lambda deployment group: no instances, no load balancer; traffic is shifted by CodeDeploy (blue/green with traffic control). */
export function checkLambdaGroup(g: GroupRecord): void {
  const style = g.deploymentStyle;
  if (style.deploymentType !== 'BLUE_GREEN' || style.deploymentOption !== 'WITH_TRAFFIC_CONTROL') {
    throw err('InvalidDeploymentStyleException', 'A deployment group on the Lambda compute platform must use deploymentType BLUE_GREEN with deploymentOption WITH_TRAFFIC_CONTROL.');
  }
  if (g.ec2TagFilters.length || g.ec2TagSet?.ec2TagSetList?.length || g.onPremisesInstanceTagFilters.length || g.onPremisesTagSet?.onPremisesTagSetList?.length) {
    throw err('InvalidInputException', 'A deployment group on the Lambda compute platform has no instances: EC2 and on-premises tag filters cannot be given.');
  }
  if (g.autoScalingGroups.length) throw err('InvalidAutoScalingGroupException', 'A deployment group on the Lambda compute platform cannot have Auto Scaling groups.');
  if (g.loadBalancerInfo?.targetGroupInfoList?.length || g.loadBalancerInfo?.elbInfoList?.length || g.loadBalancerInfo?.targetGroupPairInfoList?.length) {
    throw err('InvalidLoadBalancerInfoException', 'A deployment group on the Lambda compute platform cannot have load balancer info: traffic is shifted on the function alias.');
  }
  if (g.blueGreenDeploymentConfiguration) throw err('InvalidBlueGreenDeploymentConfigurationException', 'A deployment group on the Lambda compute platform takes no blue/green deployment configuration.');
}

export function lambdaOperations(store: CodeDeployStore, engine: DeploymentEngine): Partial<CodedeployOperations<RequestContext>> {
  return {
    async PutLifecycleEventHookExecutionStatus(input, ctx) {
      if (!input.deploymentId) throw err('DeploymentIdRequiredException', 'At least one deployment ID must be specified.');
      if (!/^d-[A-Z0-9]{9}$/.test(input.deploymentId)) throw err('InvalidDeploymentIdException', `The deployment ID ${input.deploymentId} is not valid.`);
      const dep = store.deployments.get(ctx, input.deploymentId);
      if (!dep) throw err('DeploymentDoesNotExistException', `The deployment ${input.deploymentId} does not exist.`);
      if (input.status !== 'Succeeded' && input.status !== 'Failed') {
        throw err('InvalidLifecycleEventHookExecutionStatusException', `The lifecycle event hook execution status ${input.status ?? '(none)'} is not valid: report Succeeded or Failed.`);
      }
      const id = input.lifecycleEventHookExecutionId ?? '';
      const state = dep.lambda;
      if (state?.reported.includes(id)) throw err('LifecycleEventAlreadyCompletedException', `The lifecycle event hook execution ${id} has already reported its status.`);
      if (!state?.hook || state.hook.executionId !== id) {
        throw err('InvalidLifecycleEventHookExecutionIdException', `The lifecycle event hook execution ID ${id || '(none)'} is not valid for deployment ${dep.deploymentId}.`);
      }
      if (['Succeeded', 'Failed', 'Stopped'].includes(dep.status)) throw err('LifecycleEventAlreadyCompletedException', `The deployment ${dep.deploymentId} has already completed.`);
      engine.lambda.report(ctx, dep, id, input.status);
      return { lifecycleEventHookExecutionId: id };
    },
  };
}
