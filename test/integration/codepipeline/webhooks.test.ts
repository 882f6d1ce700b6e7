import {
  CodePipelineServiceException, CreatePipelineCommand, DeleteWebhookCommand, DeregisterWebhookWithThirdPartyCommand, ListPipelineExecutionsCommand, ListWebhooksCommand,
  PutWebhookCommand, RegisterWebhookWithThirdPartyCommand, type PipelineDeclaration, type WebhookDefinition,
} from '@aws-sdk/client-codepipeline';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { bucket, objectText, putZip, start, type Env } from './support.js';

const pipeline: PipelineDeclaration = {
  name: 'hooked',
  roleArn: 'arn:aws:iam::000000000000:role/CodePipelineRole',
  artifactStore: { type: 'S3', location: 'artifacts' },
  stages: [
    { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip', PollForSourceChanges: 'false' }, outputArtifacts: [{ name: 'Src' }] }] },
    { name: 'Deploy', actions: [{ name: 'Site', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'site', Extract: 'true', ObjectKey: 'live' }, inputArtifacts: [{ name: 'Src' }] }] },
  ],
};

const filters = [{ jsonPath: '$.ref', matchEquals: 'refs/heads/main' }, { jsonPath: "$.repository['key']", matchEquals: '{S3ObjectKey}' }];
const push = (ref = 'refs/heads/main') => JSON.stringify({ ref, repository: { key: 'app.zip', name: 'app' }, commits: [{ id: 'abc' }] });
const sign = (secret: string, body: string, alg: 'sha256' | 'sha1' = 'sha256') => `${alg}=${createHmac(alg, secret).update(body).digest('hex')}`;

describe('CodePipeline webhooks', () => {
  let env: Env;
  let hmacUrl: string;
  const runs = async () => (await env.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'hooked' }))).pipelineExecutionSummaries!;
  const post = (url: string, body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const put = (webhook: Partial<WebhookDefinition>) =>
    env.cp.send(new PutWebhookCommand({ webhook: { name: 'w', targetPipeline: 'hooked', targetAction: 'Source', filters, authentication: 'UNAUTHENTICATED', authenticationConfiguration: {}, ...webhook } }));
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: CodePipelineServiceException) => [e.name, e.message]);

  beforeAll(async () => {
    env = await start();
    for (const b of ['artifacts', 'sources', 'site']) await bucket(env.s3, b);
    await putZip(env.s3, 'sources', 'app.zip', { 'index.html': 'hello' });
    await env.cp.send(new CreatePipelineCommand({ pipeline }));
    await env.sw.slipway.settled();
  });
  afterAll(() => env?.sw.close());

  it('put-webhook answers a URL on Slipway; a signed, matching POST starts the pipeline', async () => {
    const cli = awsCli(env.sw.env);
    const definition = { name: 'github', targetPipeline: 'hooked', targetAction: 'Source', filters, authentication: 'GITHUB_HMAC', authenticationConfiguration: { SecretToken: 's3cret' } };
    const out = await cli('codepipeline', 'put-webhook', '--webhook', JSON.stringify(definition));
    expect(out.code, out.stderr).toBe(0);
    const hook = out.json<{ webhook: { url: string; arn: string; definition: { authenticationConfiguration: { SecretToken: string } } } }>().webhook;
    expect(hook.arn).toBe('arn:aws:codepipeline:us-east-1:000000000000:webhook:github');
    expect(hook.url.startsWith(`${env.sw.url}/`)).toBe(true);
    expect(hook.definition.authenticationConfiguration.SecretToken).not.toBe('s3cret');
    hmacUrl = hook.url;

    const body = push();
    const res = await post(hmacUrl, body, { 'X-Hub-Signature-256': sign('s3cret', body), 'X-GitHub-Event': 'push' });
    expect(res.status).toBe(200);
    const { pipelineExecutionId } = (await res.json()) as { pipelineExecutionId: string };
    await env.sw.slipway.settled();
    const [latest] = await runs();
    expect(latest).toMatchObject({ pipelineExecutionId, status: 'Succeeded', trigger: { triggerType: 'Webhook', triggerDetail: hook.arn } });
    expect(await objectText(env.s3, 'site', 'live/index.html')).toBe('hello');

    // The SHA-1 signature GitHub also sends is accepted alone.
    expect((await post(hmacUrl, body, { 'X-Hub-Signature': sign('s3cret', body, 'sha1') })).status).toBe(200);
    await env.sw.slipway.settled();
    expect(await runs()).toHaveLength(3);
    const listed = (await cli('codepipeline', 'list-webhooks')).json<{ webhooks: { definition: { name: string }; lastTriggered?: string; url: string }[] }>().webhooks;
    expect(listed).toMatchObject([{ definition: { name: 'github' }, url: hmacUrl }]);
    expect(listed[0].lastTriggered).toBeDefined();
  });

  it('answers an HTTP error and starts nothing for bad signatures, other branches, broken JSON and unknown URLs', async () => {
    const body = push();
    const statuses = [
      (await post(hmacUrl, body, { 'X-Hub-Signature-256': sign('wrong', body) })).status,
      (await post(hmacUrl, body)).status,
      (await post(hmacUrl, push('refs/heads/dev'), { 'X-Hub-Signature-256': sign('s3cret', push('refs/heads/dev')) })).status,
      (await post(hmacUrl, '{not json', { 'X-Hub-Signature-256': sign('s3cret', '{not json') })).status,
      (await post(hmacUrl, JSON.stringify({ ref: 'refs/heads/main' }), { 'X-Hub-Signature-256': sign('s3cret', JSON.stringify({ ref: 'refs/heads/main' })) })).status,
      (await fetch(hmacUrl)).status,
      (await post(hmacUrl.replace(/t=[0-9a-f]+/, 't=0000'), body)).status,
    ];
    expect(statuses).toEqual([403, 403, 400, 400, 400, 405, 404]);
    const mismatch = await post(hmacUrl, push('refs/heads/dev'), { 'X-Hub-Signature-256': sign('s3cret', push('refs/heads/dev')) });
    expect(((await mismatch.json()) as { message: string }).message).toContain('$.ref');
    await env.sw.slipway.settled();
    expect(await runs()).toHaveLength(3);
  });

  it('IP webhooks accept only their range; UNAUTHENTICATED ones accept anyone', async () => {
    const local = (await put({ name: 'local', authentication: 'IP', authenticationConfiguration: { AllowedIPRange: '127.0.0.0/8' } })).webhook!.url!;
    const elsewhere = (await put({ name: 'elsewhere', authentication: 'IP', authenticationConfiguration: { AllowedIPRange: '10.1.0.0/16' } })).webhook!.url!;
    const open = (await put({ name: 'open' })).webhook!.url!;
    expect([(await post(local, push())).status, (await post(elsewhere, push())).status, (await post(open, push())).status]).toEqual([200, 403, 200]);
    await env.sw.slipway.settled();
    expect(await runs()).toHaveLength(5);
  });

  it('validates definitions as AWS does', async () => {
    expect(await failure(put({ authentication: 'GITHUB_HMAC', authenticationConfiguration: {} }))).toEqual(['InvalidWebhookAuthenticationParametersException', expect.stringContaining('SecretToken')]);
    expect((await failure(put({ authentication: 'IP', authenticationConfiguration: { AllowedIPRange: '300.1.1.1/8' } })))?.[0]).toBe('InvalidWebhookAuthenticationParametersException');
    expect((await failure(put({ authentication: 'IP', authenticationConfiguration: { AllowedIPRange: '10.0.0.0/8', SecretToken: 'x' } })))?.[0]).toBe('InvalidWebhookAuthenticationParametersException');
    expect((await failure(put({ filters: [{ jsonPath: 'ref', matchEquals: 'x' }] })))?.[0]).toBe('InvalidWebhookFilterPatternException');
    expect(await failure(put({ filters: [{ jsonPath: '$.ref', matchEquals: 'refs/heads/{Branch}' }] }))).toEqual(['InvalidWebhookFilterPatternException', expect.stringContaining('{Branch}')]);
    expect((await failure(put({ filters: [] })))?.[0]).toBe('InvalidWebhookFilterPatternException');
    expect((await failure(put({ targetPipeline: 'nope' })))?.[0]).toBe('PipelineNotFoundException');
    expect((await failure(put({ targetAction: 'Site' })))?.[0]).toBe('ValidationException');
    expect((await env.cp.send(new ListWebhooksCommand({}))).webhooks!.map((w) => w.definition!.name)).toEqual(['elsewhere', 'github', 'local', 'open']);
  });

  it('keeps the URL on update, forgets it on delete; registration needs a GitHub source', async () => {
    const before = (await put({ name: 'open' })).webhook!.url;
    const again = await put({ name: 'open', filters: [{ jsonPath: '$.ref' }] });
    expect(again.webhook!.url).toBe(before);
    expect(await failure(env.cp.send(new RegisterWebhookWithThirdPartyCommand({ webhookName: 'nope' })))).toEqual(['WebhookNotFoundException', expect.any(String)]);
    expect((await failure(env.cp.send(new RegisterWebhookWithThirdPartyCommand({ webhookName: 'open' }))))?.[0]).toBe('ValidationException');
    await env.cp.send(new DeregisterWebhookWithThirdPartyCommand({ webhookName: 'open' }));
    await env.cp.send(new DeleteWebhookCommand({ name: 'open' }));
    await env.cp.send(new DeleteWebhookCommand({ name: 'open' }));
    expect((await post(before!, push())).status).toBe(404);
    const recreated = (await put({ name: 'open' })).webhook!.url;
    expect(recreated).not.toBe(before);
  });
});
