import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateListenerCommand, CreateLoadBalancerCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
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

function httpsGet(url: string): Promise<{ status: number; body: string; cert: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca: CERT, servername: 'web-alb.test' }, (res) => {
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
});
