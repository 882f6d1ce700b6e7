import { describe, expect, it } from 'vitest';
import { readSignature } from '../../src/aws/gateway/auth.js';
import { detectByHeaders, detectQuery, detectRest, looksLikeQuery } from '../../src/aws/gateway/detect.js';
import { Dispatcher, operationMethods } from '../../src/aws/gateway/dispatcher.js';
import { resolvePrincipal } from '../../src/aws/gateway/principal.js';
import type { WireRequest } from '../../src/aws/protocol/wire.js';

function req(method: string, target: string, headers: Record<string, string> = {}, body = ''): WireRequest {
  const [path, query = ''] = target.split('?');
  return { method, path, query: new URLSearchParams(query), headers, body: Buffer.from(body) };
}

const auth = (service: string, region = 'eu-west-1') =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123`;

function detect(r: WireRequest) {
  const sig = readSignature(r);
  return detectByHeaders(r) ?? (looksLikeQuery(r, sig) ? detectQuery(r, sig) : undefined) ?? detectRest(r, sig);
}

describe('service detection on one port', () => {
  it.each([
    ['X-Amz-Target (JSON 1.1)', req('POST', '/', { 'x-amz-target': 'CodeBuild_20161006.StartBuild' }), 'codebuild', 'json'],
    ['X-Amz-Target (JSON 1.0)', req('POST', '/', { 'x-amz-target': 'DynamoDB_20120810.GetItem' }), 'dynamodb', 'json'],
    ['CloudWatch over JSON', req('POST', '/', { 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData' }), 'cloudwatch', 'json'],
    ['Smithy-Protocol CBOR', req('POST', '/service/GraniteServiceVersion20100801/operation/PutMetricData', { 'smithy-protocol': 'rpc-v2-cbor' }), 'cloudwatch', 'smithy-rpc-v2-cbor'],
    ['signed query (IAM)', req('POST', '/', { authorization: auth('iam'), 'content-type': 'application/x-www-form-urlencoded' }, 'Action=GetRole&Version=2010-05-08'), 'iam', 'query'],
    ['unsigned query by Version (STS)', req('POST', '/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, 'Action=GetCallerIdentity&Version=2011-06-15'), 'sts', 'query'],
    ['query on GET (presigned STS)', req('GET', '/?Action=GetCallerIdentity&Version=2011-06-15'), 'sts', 'query'],
    ['ec2 protocol', req('POST', '/', { authorization: auth('ec2'), 'content-type': 'application/x-www-form-urlencoded' }, 'Action=DescribeInstances&Version=2016-11-15'), 'ec2', 'ec2'],
    ['signed REST (Lambda)', req('GET', '/2015-03-31/functions/', { authorization: auth('lambda') }), 'lambda', 'rest-json'],
    ['unsigned REST path (Lambda)', req('POST', '/2015-03-31/functions/f/invocations'), 'lambda', 'rest-json'],
    ['signed S3', req('PUT', '/bucket/key', { authorization: auth('s3') }), 's3', 'rest-xml'],
    ['presigned S3', req('GET', '/bucket/key?X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab'), 's3', 'rest-xml'],
    ['unsigned S3 object', req('GET', '/bucket/some/key.txt'), 's3', 'rest-xml'],
  ])('%s', (_name, r, service, protocol) => {
    expect(detect(r)).toEqual({ service, protocol });
  });

  it('reads region and account from the credential scope', () => {
    const sig = readSignature(req('POST', '/', { authorization: auth('iam', 'ap-south-1') }));
    expect(sig).toMatchObject({ scheme: 'sigv4', accessKeyId: 'AKIDEXAMPLE', region: 'ap-south-1', signingName: 'iam' });
    expect(resolvePrincipal(sig, () => undefined).accountId).toBe('000000000000');
    expect(resolvePrincipal({ scheme: 'sigv4', accessKeyId: '123456789012' }, () => undefined).accountId).toBe('123456789012');
    const known = resolvePrincipal({ scheme: 'sigv4', accessKeyId: 'ASIAX' }, () => ({ accountId: '222233334444', principalArn: 'arn:x', userId: 'u' }));
    expect(known).toEqual({ accountId: '222233334444', principal: { accessKeyId: 'ASIAX', arn: 'arn:x', userId: 'u' } });
  });
});

describe('provider registration', () => {
  it('refuses handlers that match no operation of the model', () => {
    class Bad {
      async GetCallerIdentity() {
        return {};
      }
      async GetCallerIdentityy() {
        return {};
      }
      helper() {
        return 1;
      }
    }
    expect(operationMethods(new Bad())).toEqual(['GetCallerIdentity', 'GetCallerIdentityy']);
    expect(() => new Dispatcher().register('sts', new Bad())).toThrow('The sts provider has handlers that match no sts operation: GetCallerIdentityy.');
    expect(() => new Dispatcher().register('nope', {})).toThrow(/no nope model/);
  });
});
