import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';
import { get, listenerAddress, startTarget, waitForStates, type Target } from './helpers.js';

describe('ELBv2 through the aws CLI', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let app: Target;
  let lbArn: string;
  let tgArn: string;

  beforeAll(async () => {
    sw = await startSlipway({ clock: new ManualClock(), elbPorts: 'ephemeral' });
    cli = awsCli(sw.env);
    app = await startTarget('v1');
  });
  afterAll(async () => {
    await sw.close();
    await app.close();
  });

  it('creates a load balancer, a target group and targets, unused until a listener forwards to them', async () => {
    const lb = await cli('elbv2', 'create-load-balancer', '--name', 'web-alb', '--subnets', 'subnet-1', 'subnet-2');
    expect(lb.code, lb.stderr).toBe(0);
    const created = lb.json<{ LoadBalancers: Record<string, unknown>[] }>().LoadBalancers[0];
    lbArn = created.LoadBalancerArn as string;
    expect(lbArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/web-alb\/[0-9a-f]{16}$/);
    expect(created).toMatchObject({
      LoadBalancerName: 'web-alb', Scheme: 'internet-facing', Type: 'application', State: { Code: 'provisioning' }, IpAddressType: 'ipv4',
      AvailabilityZones: [{ ZoneName: 'us-east-1a', SubnetId: 'subnet-1' }, { ZoneName: 'us-east-1b', SubnetId: 'subnet-2' }],
    });
    expect(created.DNSName).toMatch(/^web-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);

    const tg = await cli('elbv2', 'create-target-group', '--name', 'blue', '--protocol', 'HTTP', '--port', '8080', '--vpc-id', 'vpc-1', '--target-type', 'ip');
    expect(tg.code, tg.stderr).toBe(0);
    const group = tg.json<{ TargetGroups: Record<string, unknown>[] }>().TargetGroups[0];
    tgArn = group.TargetGroupArn as string;
    expect(group).toMatchObject({
      TargetGroupName: 'blue', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip', HealthCheckProtocol: 'HTTP', HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/', HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2, Matcher: { HttpCode: '200' },
    });

    expect((await cli('elbv2', 'register-targets', '--target-group-arn', tgArn, '--targets', `Id=127.0.0.1,Port=${app.port}`)).code).toBe(0);
    const unused = await cli('elbv2', 'describe-target-health', '--target-group-arn', tgArn);
    expect(unused.json<{ TargetHealthDescriptions: unknown[] }>().TargetHealthDescriptions).toEqual([
      { Target: { Id: '127.0.0.1', Port: app.port }, HealthCheckPort: String(app.port), TargetHealth: { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' } },
    ]);

  });

  it('creates a listener that serves real traffic to the healthy target', async () => {
    const listener = await cli('elbv2', 'create-listener', '--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', '8080', '--default-actions', `Type=forward,TargetGroupArn=${tgArn}`);
    expect(listener.code, listener.stderr).toBe(0);
    const listenerArn = listener.json<{ Listeners: { ListenerArn: string; Port: number }[] }>().Listeners[0].ListenerArn;
    await waitForStates(sw, tgArn, ['healthy']);
    const health = await cli('elbv2', 'describe-target-health', '--target-group-arn', tgArn);
    expect(health.json()).toEqual({ TargetHealthDescriptions: [{ Target: { Id: '127.0.0.1', Port: app.port }, HealthCheckPort: String(app.port), TargetHealth: { State: 'healthy' } }] });
    expect((await get(`${await listenerAddress(sw, listenerArn)}/index.html`)).body).toBe('v1 /index.html');

    const described = await cli('elbv2', 'describe-load-balancers', '--names', 'web-alb');
    expect(described.json<{ LoadBalancers: { State: { Code: string } }[] }>().LoadBalancers[0].State.Code).toBe('active');
    const tgs = await cli('elbv2', 'describe-target-groups', '--load-balancer-arn', lbArn);
    expect(tgs.json<{ TargetGroups: { LoadBalancerArns: string[] }[] }>().TargetGroups[0].LoadBalancerArns).toEqual([lbArn]);
  });

  it('sets the deregistration delay and answers AWS errors for bad names and health check settings', async () => {
    const attrs = await cli('elbv2', 'modify-target-group-attributes', '--target-group-arn', tgArn, '--attributes', 'Key=deregistration_delay.timeout_seconds,Value=30');
    expect(attrs.json<{ Attributes: { Key: string; Value: string }[] }>().Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });

    const dup = await cli('elbv2', 'create-load-balancer', '--name', 'web-alb', '--subnets', 'subnet-3', 'subnet-4');
    expect(dup.stderr).toContain("An error occurred (DuplicateLoadBalancerName) when calling the CreateLoadBalancer operation: A load balancer with the name 'web-alb' already exists");
    const range = await cli('elbv2', 'create-target-group', '--name', 'bad', '--protocol', 'HTTP', '--port', '80', '--vpc-id', 'vpc-1', '--health-check-interval-seconds', '400');
    expect(range.stderr).toContain('(ValidationError)');
    expect(range.stderr).toContain('healthCheckIntervalSeconds');
    const timeout = await cli('elbv2', 'create-target-group', '--name', 'bad', '--protocol', 'HTTP', '--port', '80', '--vpc-id', 'vpc-1', '--health-check-interval-seconds', '10', '--health-check-timeout-seconds', '10');
    expect(timeout.stderr).toContain("(ValidationError) when calling the CreateTargetGroup operation: Health check interval '10' must be greater than the timeout '10'");
  });

  it('refuses bad listeners and deleting a target group in use', async () => {
    const unknown = await cli('elbv2', 'create-listener', '--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', '9090', '--default-actions', `Type=forward,TargetGroupArn=${tgArn.replace(/[0-9a-f]{16}$/, '0000000000000000')}`);
    expect(unknown.stderr).toContain('(TargetGroupNotFound) when calling the CreateListener operation');
    const zero = await cli('elbv2', 'create-listener', '--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', '9090', '--default-actions',
      JSON.stringify([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn, Weight: 0 }] } }]));
    expect(zero.stderr).toContain('(ValidationError) when calling the CreateListener operation: The weights of the target groups in a forward action add up to 0');
    const busy = await cli('elbv2', 'create-listener', '--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', '8080', '--default-actions', `Type=forward,TargetGroupArn=${tgArn}`);
    expect(busy.stderr).toContain('(DuplicateListener)');
    const inUse = await cli('elbv2', 'delete-target-group', '--target-group-arn', tgArn);
    expect(inUse.stderr).toContain('(ResourceInUse) when calling the DeleteTargetGroup operation');
    const https = await cli('elbv2', 'create-listener', '--load-balancer-arn', lbArn, '--protocol', 'HTTPS', '--port', '443', '--certificates', 'CertificateArn=arn:aws:acm:us-east-1:000000000000:certificate/x', '--default-actions', `Type=forward,TargetGroupArn=${tgArn}`);
    expect(https.stderr).toContain("(CertificateNotFound) when calling the CreateListener operation: Certificate 'arn:aws:acm:us-east-1:000000000000:certificate/x' not found: it is not a Secrets Manager secret ARN. Slipway has no ACM");
  });
});
