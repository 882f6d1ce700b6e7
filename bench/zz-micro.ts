import { EventEmitter } from 'node:events';
import { Slipway } from '../src/slipway.js';
import { mkdtempSync } from 'node:fs';
const sw = await Slipway.start({ port: 0, dataDir: mkdtempSync('/tmp/micro-'), logLevel: 'warn' });
const handle = (sw as unknown as { server: { listeners(e: string): ((req: unknown, res: unknown) => Promise<void>)[] } }).server.listeners('request')[0];
const body = Buffer.from('Action=GetCallerIdentity&Version=2011-06-15');
const headers = { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0', 'content-length': String(body.length) };
class Req extends EventEmitter { headers = headers; url = '/'; method = 'POST'; resume() {} }
async function once(h: typeof handle) {
  const req = new Req();
  let done!: () => void; const p = new Promise<void>((r) => (done = r));
  const res = { headersSent: false, writeHead() {}, end() { done(); }, destroy() {} };
  const handled = h(req, res);
  req.emit('data', body); req.emit('end');
  await handled; await p;
}
const noop = async (_req: unknown, res: unknown) => { (res as { end(): void }).end(); };
for (const [name, h] of [['noop', noop], ['slipway', handle], ['noop', noop], ['slipway', handle]] as const) {
  for (let i = 0; i < 20000; i++) await once(h);
  const n = 200000; const t0 = performance.now();
  for (let i = 0; i < n; i++) await once(h);
  console.log(name, ((performance.now() - t0) * 1000 / n).toFixed(2), 'us per request');
}
await sw.close();
