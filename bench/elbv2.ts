// Issue 9: the load balancer proxy. Requests/s and added latency of a listener in front of an
// application, against the application hit directly and nginx as a keep-alive reverse proxy
// in front of the same application, all in the same run.
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMs, spawnPinned, startBareServer, startSlipway } from './lib/servers.js';
import { load, median } from './lib/stats.js';
import { freePort } from '../test/helpers/ports.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LATENCY_REQUESTS = 3000;

/** nginx as a reverse proxy with keep-alive upstream connections, one worker (Slipway's proxy is one process too). */
async function startNginx(appUrl: string): Promise<{ url: string; pid: number; stop(): void } | undefined> {
  if (spawnSync('nginx', ['-v']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-nginx-'));
  const port = await freePort();
  const conf = `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream app { server ${new URL(appUrl).host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location / {
      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawnPinned('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(url).then((r) => r.arrayBuffer().then(() => r.status === 200), () => false);
    if (ok) break;
    if (i > 200) throw new Error('nginx did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url,
    pid: child.pid!,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sets up a load balancer in a running Slipway forwarding to the app; answers the listener's real address. */
async function configureAlb(slipwayUrl: string, appUrl: string): Promise<string> {
  const elb = new ElasticLoadBalancingV2Client({ endpoint: slipwayUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'bench', Subnets: ['subnet-1', 'subnet-2'] }));
  const tg = await elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }));
  const tgArn = tg.TargetGroups![0].TargetGroupArn!;
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: Number(new URL(appUrl).port) }] }));
  const l = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancers![0].LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
  for (;;) {
    const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    if (h.TargetHealthDescriptions?.[0]?.TargetHealth?.State === 'healthy') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const listed = (await (await fetch(`${slipwayUrl}/_slipway/elbv2/listeners`)).json()) as { Listeners: { ListenerArn: string; Address: string }[] };
  return listed.Listeners.find((x) => x.ListenerArn === l.Listeners![0].ListenerArn)!.Address;
}

/** CPU milliseconds used so far by a process and its children that are still running (nginx's worker). */
function treeCpuMs(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no children file on this kernel: the process alone
  }
  return cpuMs(pid) + children.reduce((sum, c) => sum + treeCpuMs(c), 0);
}

/** One request at a time over a keep-alive connection: latency without queueing, in ms. */
async function latency(url: string): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now();
      request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - t));
      })
        .on('error', reject)
        .end();
    });
  for (let i = 0; i < 200; i++) await one();
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_REQUESTS; i++) samples.push(await one());
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p99: samples[Math.floor(samples.length * 0.99)] };
}

export async function benchElbv2(): Promise<string[]> {
  const loadBefore = loadavg()[0];
  const app = await startBareServer();
  const slipway = await startSlipway(['--elb-ports', 'ephemeral']);
  const nginx = await startNginx(app.url);
  const rows: string[] = [];
  try {
    const alb = await configureAlb(slipway.url, app.url);
    const targets: [string, string][] = [['direct', `${app.url}/`], ['slipway', `${alb}/`], ...(nginx ? [['nginx', `${nginx.url}/`] as [string, string]] : [])];
    const rps: Record<string, number[]> = {};
    // CPU per request of the proxy process and of the application, from /proc: steadier than
    // requests/s when other work shares the machine.
    const proxyPid: Record<string, number | undefined> = { direct: undefined, slipway: slipway.pid, nginx: nginx?.pid };
    const cpu: Record<string, { proxy: number[]; app: number[] }> = {};
    const lat: Record<string, { p50: number; p99: number }[]> = {};
    for (const [, url] of targets) await load(url, { connections: CONNECTIONS, seconds: 2 });
    for (let i = 0; i < ROUNDS; i++) {
      // Interleaved, so machine noise hits every row alike.
      for (const [name, url] of targets) {
        const pid = proxyPid[name];
        const before = { proxy: pid ? treeCpuMs(pid) : 0, app: cpuMs(app.pid) };
        const r = await load(url, { connections: CONNECTIONS, seconds: SECONDS });
        const requests = r.rps * SECONDS;
        const c = (cpu[name] ??= { proxy: [], app: [] });
        c.proxy.push(pid ? ((treeCpuMs(pid) - before.proxy) * 1000) / requests : 0);
        c.app.push(((cpuMs(app.pid) - before.app) * 1000) / requests);
        if (r.errors || r.non2xx) throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.errors} errors`);
        (rps[name] ??= []).push(r.rps);
        (lat[name] ??= []).push(await latency(url));
      }
    }
    const m = (name: string) => ({ rps: median(rps[name]), p50: median(lat[name].map((x) => x.p50)), p99: median(lat[name].map((x) => x.p99)) });
    const d = m('direct');
    const s = m('slipway');
    const ms = (x: number) => `${x.toFixed(3)} ms`;
    rows.push(`| ELB listener proxy, ${CONNECTIONS} connections: requests/s (median of ${ROUNDS} × ${SECONDS} s) | ${s.rps.toFixed(0)} | ${d.rps.toFixed(0)} (application direct) | — |`);
    if (nginx) {
      const n = m('nginx');
      // Each round's ratio compares runs seconds apart, so it is less exposed to a busy machine than the ratio of medians.
      const perRound = rps.slipway.map((x, i) => (x / rps.nginx[i]) * 100);
      rows.push(
        `| … against nginx 1 worker, keep-alive upstream: requests/s | ${s.rps.toFixed(0)} | ${n.rps.toFixed(0)} (nginx) | ratio ${((s.rps / n.rps) * 100).toFixed(0)}%; per round ${perRound.map((x) => x.toFixed(0)).join('/')}%, median ${median(perRound).toFixed(0)}% (target ≥ 70%) |`,
      );
      rows.push(`| … added latency p50 / p99, one request at a time (${LATENCY_REQUESTS} requests) | +${ms(s.p50 - d.p50)} / +${ms(s.p99 - d.p99)} | nginx +${ms(n.p50 - d.p50)} / +${ms(n.p99 - d.p99)}; direct ${ms(d.p50)} / ${ms(d.p99)} | p50 < 1 ms |`);
    } else {
      rows.push('| … nginx row skipped: nginx is not installed (apt-get install -y nginx) | — | — | — |');
      rows.push(`| … added latency p50 / p99, one request at a time (${LATENCY_REQUESTS} requests) | +${ms(s.p50 - d.p50)} / +${ms(s.p99 - d.p99)} | direct ${ms(d.p50)} / ${ms(d.p99)} | p50 < 1 ms |`);
    }
    const us = (name: string, k: 'proxy' | 'app') => `${median(cpu[name][k]).toFixed(1)} µs`;
    rows.push(
      `| … CPU per request, proxy process / application (median of rounds) | ${us('slipway', 'proxy')} / ${us('slipway', 'app')} | ${nginx ? `nginx ${us('nginx', 'proxy')} / ${us('nginx', 'app')}; ` : ''}direct: application ${us('direct', 'app')} | — |`,
    );
    if (nginx) {
      // Proxy and application share one core, so on an idle core requests/s is about 1 / (their CPU per request):
      // this ratio is what the CPU figures predict, steadier than the measured one on a busy machine.
      const perRequest = (name: string) => median(cpu[name].proxy) + median(cpu[name].app);
      rows.push(`| … requests/s ratio the CPU figures predict for one idle core: (nginx + application) / (proxy + application) | ${((perRequest('nginx') / perRequest('slipway')) * 100).toFixed(0)}% | — | ≥ 70% |`);
    }
    rows.push(`| … machine load average (1 min) at the start / end of the suite | ${loadBefore.toFixed(1)} / ${loadavg()[0].toFixed(1)} | — | — |`);
  } finally {
    nginx?.stop();
    await slipway.stop();
    await app.stop();
  }
  return rows;
}
