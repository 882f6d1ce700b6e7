import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DescribeListenerCertificatesCommand,
  ModifyListenerCommand,
  RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { sdkConfig, startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { createAlb, elbClient, forwardTo, get, listenerAddress, startTarget, type Target } from './helpers.js';

// A self-signed certificate for web-alb.test, localhost and 127.0.0.1, valid for a hundred years: test data only.
const CERT = `-----BEGIN CERTIFICATE-----
MIIBrzCCAVWgAwIBAgIUYiECq2gN4JRyKK24+wKIAazHAfUwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMd2ViLWFsYi50ZXN0MCAXDTI2MTEyNjIzNDkxOVoYDzIxMjYx
MTAyMjM0OTE5WjAXMRUwEwYDVQQDDAx3ZWItYWxiLnRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQSZqhYlhKkWQnd7NXOxJCqIV7ZCLz+A/NYKEMxRvpgy2kK
/fVZBpUxbqlK7/MJiqfh+ul7x7xTZUlyY7AmERN+o30wezAdBgNVHQ4EFgQUTVCj
OoO088pPkd9bjRG3HeHqwk0wHwYDVR0jBBgwFoAUTVCjOoO088pPkd9bjRG3HeHq
wk0wDwYDVR0TAQH/BAUwAwEB/zAoBgNVHREEITAfggx3ZWItYWxiLnRlc3SCCWxv
Y2FsaG9zdIcEfwAAATAKBggqhkjOPQQDAgNIADBFAiEA6SYtP+d09oOvRI0/XKkZ
udyQZ2QsqO8bnJEvyCGk6G4CIG7Bo9y9XCEZ43grPoUyr8EDkHLA/QbUEdwtDykC
5EgS
-----END CERTIFICATE-----`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmy69k3p+lBX4p6hE
hGHPKklPznCCsmxHYZK9MxCjFeqhRANCAAQSZqhYlhKkWQnd7NXOxJCqIV7ZCLz+
A/NYKEMxRvpgy2kK/fVZBpUxbqlK7/MJiqfh+ul7x7xTZUlyY7AmERN+
-----END PRIVATE KEY-----`;

// A second one for api.example.test and *.api.example.test, for SNI: test data only.
const API_CERT = `-----BEGIN CERTIFICATE-----
MIIBvzCCAWagAwIBAgIUI6NGbN+ppY8NQKP+PqJh0aoIG5IwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQYXBpLmV4YW1wbGUudGVzdDAgFw0yNjExMjcwMjQ2MTVaGA8y
MTI2MTEwMzAyNDYxNVowGzEZMBcGA1UEAwwQYXBpLmV4YW1wbGUudGVzdDBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABL2ngIFO9zAzRu3wEwwnqxvz9aU0TFXZjHGJ
/TNgmD6y2bQxWXr0Ajy5vVrHPc9uj1Q5BGEPyISyotXo/pQuFNqjgYUwgYIwHQYD
VR0OBBYEFCR8ERT8iWb60WzWomOmG0t+VbaiMB8GA1UdIwQYMBaAFCR8ERT8iWb6
0WzWomOmG0t+VbaiMA8GA1UdEwEB/wQFMAMBAf8wLwYDVR0RBCgwJoIQYXBpLmV4
YW1wbGUudGVzdIISKi5hcGkuZXhhbXBsZS50ZXN0MAoGCCqGSM49BAMCA0cAMEQC
IEz1YIzJ2ejS8YYXhvYW8iiRiFZmcgBJKoxy5SEl8kuBAiBX/nHakI+7uLmm4rp5
LrzO6FwWaxDSGn/FUgwaxCei8g==
-----END CERTIFICATE-----`;
const API_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8ZXzdLoISRT7mdFG
KVwzuxiw7sgWF7P+GT5mGKJd2GShRANCAAS9p4CBTvcwM0bt8BMMJ6sb8/WlNExV
2Yxxif0zYJg+stm0MVl69AI8ub1axz3Pbo9UOQRhD8iEsqLV6P6ULhTa
-----END PRIVATE KEY-----`;

function httpsGet(url: string, servername = 'web-alb.test'): Promise<{ status: number; body: string; cert: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca: [CERT, API_CERT], servername, agent: false, checkServerIdentity: () => undefined }, (res) => {
      let body = '';
      const cert = String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN);
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert }));
    })
      .on('error', reject)
      .end();
  });
}

describe('ELBv2 HTTPS listeners with a certificate held in Secrets Manager', () => {
  let sw: TestSlipway;
  let app: Target;

  beforeAll(async () => {
    sw = await startSlipway({ clock: new ManualClock(), elbPorts: 'ephemeral' });
    app = await startTarget('app', (req, res) => res.end(`proto=${req.headers['x-forwarded-proto']} port=${req.headers['x-forwarded-port']}`));
  });
  afterAll(async () => {
    await sw.close();
    await app.close();
  });

  it('terminates TLS with the PEM pair and forwards to the target over HTTP', async () => {
    const sm = new SecretsManagerClient(sdkConfig(sw.url));
    const secret = await sm.send(new CreateSecretCommand({ Name: 'web-alb-tls', SecretString: JSON.stringify({ certificate: CERT, privateKey: KEY }) }));
    const alb = await createAlb(sw, 'tls', { web: [app] }, (g) => forwardTo(g.web));
    const elb = elbClient(sw);
    const created = await elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.lbArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: secret.ARN }], DefaultActions: [forwardTo(alb.groups.web)],
    }));
    expect(created.Listeners![0]).toMatchObject({ Protocol: 'HTTPS', Port: 443, SslPolicy: 'ELBSecurityPolicy-2016-08', Certificates: [{ CertificateArn: secret.ARN }] });
    const url = await listenerAddress(sw, created.Listeners![0].ListenerArn!);
    expect(url).toMatch(/^https:/);
    expect(await httpsGet(`${url}/`)).toEqual({ status: 200, body: 'proto=https port=443', cert: 'web-alb.test' });

    // Redirect the HTTP listener to HTTPS, as AWS's usual setup does.
    await elb.send(new ModifyListenerCommand({ ListenerArn: alb.listenerArn, DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }] }));
    const moved = await get(`${alb.url}/a?b=1`, { host: 'web-alb.test' });
    expect([moved.status, moved.headers.location]).toEqual([301, 'https://web-alb.test/a?b=1']);
  });

  it('refuses a certificate that is not a usable PEM pair in Secrets Manager', async () => {
    const elb = elbClient(sw);
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'tls-bad', Subnets: ['subnet-1', 'subnet-2'] }))).LoadBalancers![0].LoadBalancerArn!;
    const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200' } }];
    const sm = new SecretsManagerClient(sdkConfig(sw.url));
    const broken = await sm.send(new CreateSecretCommand({ Name: 'broken-tls', SecretString: JSON.stringify({ certificate: 'nope', privateKey: KEY }) }));
    for (const [arn, why] of [
      ['arn:aws:acm:us-east-1:000000000000:certificate/12345678-1234-1234-1234-123456789012', 'not a Secrets Manager secret ARN'],
      [broken.ARN!, 'the PEM pair is not usable'],
      ['arn:aws:secretsmanager:us-east-1:000000000000:secret:missing-AbCdEf', 'not found'],
    ]) {
      const e = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: arn }], DefaultActions: fixed })).catch((x: Error) => x);
      expect(e).toMatchObject({ name: 'CertificateNotFoundException' });
      expect((e as Error).message).toContain(why);
    }
    const none = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTPS', Port: 443, DefaultActions: fixed })).catch((x: Error) => x);
    expect((none as Error).message).toBe('A certificate must be specified for HTTPS listeners');
  });

  it('serves further certificates by SNI name (AddListenerCertificates), swapped without a rebind', async () => {
    const sm = new SecretsManagerClient(sdkConfig(sw.url));
    const def = await sm.send(new CreateSecretCommand({ Name: 'sni-default', SecretString: JSON.stringify({ certificate: CERT, privateKey: KEY }) }));
    const api = await sm.send(new CreateSecretCommand({ Name: 'sni-api', SecretString: JSON.stringify({ certificate: API_CERT, privateKey: API_KEY }) }));
    const alb = await createAlb(sw, 'sni', { web: [app] }, (g) => forwardTo(g.web));
    const elb = elbClient(sw);
    const created = await elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.lbArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: def.ARN }], DefaultActions: [forwardTo(alb.groups.web)],
    }));
    const ListenerArn = created.Listeners![0].ListenerArn!;
    const url = await listenerAddress(sw, ListenerArn);
    const added = await elb.send(new AddListenerCertificatesCommand({ ListenerArn, Certificates: [{ CertificateArn: api.ARN }] }));
    expect(added.Certificates).toEqual([{ CertificateArn: api.ARN, IsDefault: false }]);
    expect(await listenerAddress(sw, ListenerArn)).toBe(url);
    expect((await httpsGet(`${url}/`, 'api.example.test')).cert).toBe('api.example.test');
    expect((await httpsGet(`${url}/`, 'v2.api.example.test')).cert).toBe('api.example.test');
    expect((await httpsGet(`${url}/`, 'web-alb.test')).cert).toBe('web-alb.test');
    const described = await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn }));
    expect(described.Certificates).toEqual([{ CertificateArn: def.ARN, IsDefault: true }, { CertificateArn: api.ARN, IsDefault: false }]);

    const removeDefault = await elb.send(new RemoveListenerCertificatesCommand({ ListenerArn, Certificates: [{ CertificateArn: def.ARN }] })).catch((x: Error) => x);
    expect(removeDefault).toMatchObject({ name: 'OperationNotPermittedException' });
    const missing = await elb.send(new AddListenerCertificatesCommand({ ListenerArn, Certificates: [{ CertificateArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf' }] })).catch((x: Error) => x);
    expect(missing).toMatchObject({ name: 'CertificateNotFoundException' });
    await elb.send(new RemoveListenerCertificatesCommand({ ListenerArn, Certificates: [{ CertificateArn: api.ARN }] }));
    expect((await httpsGet(`${url}/`, 'api.example.test')).cert).toBe('web-alb.test');
    expect((await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn }))).Certificates).toEqual([{ CertificateArn: def.ARN, IsDefault: true }]);
    const onHttp = await elb.send(new AddListenerCertificatesCommand({ ListenerArn: alb.listenerArn, Certificates: [{ CertificateArn: api.ARN }] })).catch((x: Error) => x);
    expect(onHttp).toMatchObject({ name: 'InvalidConfigurationRequestException' });
  });
});
