// Issue: the gateway's overhead. Throughput and latency of a simple AWS operation against a
// bare node:http server answering a fixed JSON body, cold start, and idle memory.
import { rssMb, startBareServer, startSlipway } from './lib/servers.js';
import { load, median } from './lib/stats.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const getCallerIdentity = {
  method: 'POST' as const,
  headers: {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0000',
    'x-amz-date': '20240101T000000Z',
  },
  body: 'Action=GetCallerIdentity&Version=2011-06-15',
};

export async function benchGateway(): Promise<string[]> {
  const rows: string[] = [];
  // Cold start: spawn to the first 200 from /_slipway/health, and the same for a bare server.
  const slipStarts: number[] = [];
  const bareStarts: number[] = [];
  let idle = 0;
  for (let i = 0; i < 7; i++) {
    const s = await startSlipway();
    slipStarts.push(s.startMs);
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 500));
      idle = rssMb(s.pid);
    }
    await s.stop();
    const b = await startBareServer();
    bareStarts.push(b.startMs);
    await b.stop();
  }
  rows.push(`| Cold start to 200 from /_slipway/health (median of 7) | ${median(slipStarts).toFixed(0)} ms | ${median(bareStarts).toFixed(0)} ms (bare node:http) | < 1000 ms |`);
  rows.push(`| Idle resident memory after start | ${idle.toFixed(0)} MB | — | < 150 MB |`);

  // Throughput: alternate rounds so that machine noise hits both alike; report medians.
  const slip: { rps: number; p50: number; p99: number }[] = [];
  const bare: { rps: number; p50: number; p99: number }[] = [];
  const s = await startSlipway();
  const b = await startBareServer();
  try {
    await load(`${s.url}/`, { connections: CONNECTIONS, seconds: 2, ...getCallerIdentity });
    await load(`${b.url}/`, { connections: CONNECTIONS, seconds: 2, ...getCallerIdentity });
    for (let i = 0; i < ROUNDS; i++) {
      const rs = await load(`${s.url}/`, { connections: CONNECTIONS, seconds: SECONDS, ...getCallerIdentity });
      if (rs.errors || rs.non2xx) throw new Error(`Slipway answered ${rs.non2xx} non-2xx and ${rs.errors} errors`);
      slip.push(rs);
      bare.push(await load(`${b.url}/`, { connections: CONNECTIONS, seconds: SECONDS, ...getCallerIdentity }));
    }
  } finally {
    await s.stop();
    await b.stop();
  }
  const sr = median(slip.map((x) => x.rps));
  const br = median(bare.map((x) => x.rps));
  rows.push(`| STS GetCallerIdentity, ${CONNECTIONS} connections: requests/s (median of ${ROUNDS} × ${SECONDS} s) | ${sr.toFixed(0)} | ${br.toFixed(0)} (bare node:http, fixed JSON) | ratio ${(sr / br * 100).toFixed(0)}% (target ≥ 50%) |`);
  rows.push(`| … latency p50 / p99 | ${median(slip.map((x) => x.p50))} / ${median(slip.map((x) => x.p99))} ms | ${median(bare.map((x) => x.p50))} / ${median(bare.map((x) => x.p99))} ms | p99 < 10 ms |`);
  return rows;
}
