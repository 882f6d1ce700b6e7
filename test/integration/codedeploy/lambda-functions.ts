import { CreateAliasCommand, CreateFunctionCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { makeZip, ROLE } from '../lambda/zip.js';

/** A Node function answering with its version's tag; `broken` versions throw. */
function app(tag: string, broken: boolean): Buffer {
  const body = broken ? `throw new Error('broken ' + ${JSON.stringify(tag)});` : `return { tag: ${JSON.stringify(tag)} };`;
  return makeZip({ 'index.js': `exports.handler = async () => { ${body} };` });
}

/**
 * A validation hook as users write one: it reports `status` for the execution it was invoked
 * for with PutLifecycleEventHookExecutionStatus, calling the endpoint Slipway gives functions.
 */
export function hookCode(status: 'Succeeded' | 'Failed'): Buffer {
  return makeZip({
    'index.js': `exports.handler = async (event) => {
  const res = await fetch(process.env.AWS_ENDPOINT_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus',
      authorization: 'AWS4-HMAC-SHA256 Credential=' + process.env.AWS_ACCESS_KEY_ID + '/20260101/' + process.env.AWS_REGION + '/codedeploy/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: ${JSON.stringify(status)} }),
  });
  if (!res.ok) throw new Error('PutLifecycleEventHookExecutionStatus: ' + res.status + ' ' + (await res.text()));
  return { reported: ${JSON.stringify(status)} };
};`,
  });
}

/** A function with published versions 1..n (tags v1..vn; `broken` ones throw) and alias `alias` on version 1; a 30 s timeout covers cold starts on a busy machine. */
export async function publishVersions(lambda: LambdaClient, name: string, alias: string, tags: string[], broken: string[] = []): Promise<void> {
  for (const [i, tag] of tags.entries()) {
    const zip = app(tag, broken.includes(tag));
    if (i === 0) await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip }, Timeout: 30 }));
    else await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip }));
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  }
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' }));
}

export async function createHook(lambda: LambdaClient, name: string, status: 'Succeeded' | 'Failed'): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: hookCode(status) }, Timeout: 30 }));
}
