import { ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, CreateTargetGroupCommand, RegisterTargetsCommand, CreateListenerCommand, DescribeTargetHealthCommand, type Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { expect, vi } from 'vitest';
import { sdkConfig, type TestSlipway } from '../../helpers/slipway.js';

export interface Target {
  server: Server;
  port: number;
  /** Requests the target has answered, by path. */
  hits: string[];
  close(): Promise<void>;
}

/** A real HTTP server to register as a target; by default it answers `<name> <path>`. */
export async function startTarget(name: string, handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<Target> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    if (req.headers['user-agent'] !== 'ELB-HealthChecker/2.0') hits.push(req.url ?? '');
    if (handler) return handler(req, res);
    req.resume();
    res.end(`${name} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function elbClient(sw: TestSlipway): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client(sdkConfig(sw.url));
}

/** The real address of a listener (its port is OS-chosen under --elb-ports ephemeral). */
export async function listenerAddress(sw: TestSlipway, listenerArn: string): Promise<string> {
  const r = (await (await fetch(`${sw.url}/_slipway/elbv2/listeners`)).json()) as { Listeners: { ListenerArn: string; Address: string }[] };
  const found = r.Listeners.find((l) => l.ListenerArn === listenerArn);
  if (!found) throw new Error(`listener ${listenerArn} is not bound`);
  return found.Address;
}

export interface Alb {
  lbArn: string;
  listenerArn: string;
  url: string;
  groups: Record<string, string>;
}

/** A load balancer with target groups (each with its targets) and one listener with the given default action. */
export async function createAlb(
  sw: TestSlipway,
  name: string,
  groups: Record<string, Target[]>,
  defaultAction: (arns: Record<string, string>) => Action,
  healthCheck: { HealthCheckIntervalSeconds?: number; HealthyThresholdCount?: number; UnhealthyThresholdCount?: number; HealthCheckPath?: string } = {},
): Promise<Alb> {
  const elb = elbClient(sw);
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: ['subnet-1', 'subnet-2'] }));
  const arns: Record<string, string> = {};
  for (const [group, targets] of Object.entries(groups)) {
    const tg = await elb.send(new CreateTargetGroupCommand({ Name: `${name}-${group}`, Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip', ...healthCheck }));
    arns[group] = tg.TargetGroups![0].TargetGroupArn!;
    if (targets.length) await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arns[group], Targets: targets.map((t) => ({ Id: '127.0.0.1', Port: t.port })) }));
  }
  const action = defaultAction(arns);
  const listener = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [action] }));
  const listenerArn = listener.Listeners![0].ListenerArn!;
  // Groups the listener uses are health-checked at once; the others wait until a rule uses them.
  for (const [group, targets] of Object.entries(groups)) {
    if (targets.length && JSON.stringify(action).includes(arns[group])) await waitForStates(sw, arns[group], targets.map(() => 'healthy'));
  }
  return { lbArn: lb.LoadBalancers![0].LoadBalancerArn!, listenerArn, url: await listenerAddress(sw, listenerArn), groups: arns };
}

/** Waits for the health checks (real HTTP to the targets) to bring the targets to these states. */
export async function waitForStates(sw: TestSlipway, tgArn: string, states: string[]): Promise<void> {
  const elb = elbClient(sw);
  await vi.waitFor(
    async () => {
      const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
      expect(h.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State).sort()).toEqual([...states].sort());
    },
    { timeout: 5000, interval: 20 },
  );
}

export const forwardTo = (arn: string): Action => ({ Type: 'forward', TargetGroupArn: arn });

/** A request through the proxy (node:http, so a Host header can be set), body read as text. */
export function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a request and resolves once the response headers (not the body) arrived. */
export function startRequest(url: string, method = 'GET'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** A raw TCP connection to a listener's URL, for bytes no HTTP client would send. */
export function openRaw(url: string): Socket {
  const u = new URL(url);
  return connect(Number(u.port), u.hostname);
}

/** Writes `payload` on a raw connection and reads until `done` says the answer is complete (or the connection ends). */
export function rawExchange(socket: Socket, payload: string, done: (text: string) => boolean): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      if (done(text)) finish();
    };
    const finish = () => {
      socket.off('data', onData).off('end', finish).off('error', reject);
      resolve(text);
    };
    socket.on('data', onData).on('end', finish).on('error', reject);
    socket.write(payload);
  });
}
