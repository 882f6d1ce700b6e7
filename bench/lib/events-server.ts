// A Slipway for the EventBridge benchmark, in its own process, with a fake SQS that records
// when each message arrives (absolute ms). The parent asks for the receipts over IPC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SERVICES } from '../../src/services/registry.js';
import { Slipway } from '../../src/slipway.js';

const receipts: [number, number][] = [];
const fakeSqs = {
  name: 'sqs',
  create: () => ({
    provider: {
      GetQueueUrl: async (i: { QueueName: string }) => ({ QueueUrl: `http://localhost/000000000000/${i.QueueName}` }),
      SendMessage: async (i: { MessageBody: string }) => {
        receipts.push([(JSON.parse(i.MessageBody) as { detail: { seq: number } }).detail.seq, performance.timeOrigin + performance.now()]);
        return { MessageId: '1' };
      },
    },
  }),
};

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-events-'));
const slipway = await Slipway.start({ port: 0, dataDir, logLevel: 'error', services: [...SERVICES.filter((s) => s.name !== 'sqs'), fakeSqs] });
let cpu = process.cpuUsage();
process.on('message', (m: { type: string }) => {
  if (m.type === 'take') {
    void slipway.settled().then(() => {
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      process.send!({ type: 'receipts', receipts: receipts.splice(0), cpuMicros: used.user + used.system });
    });
  }
  if (m.type === 'stop') void slipway.close().then(() => (rmSync(dataDir, { recursive: true, force: true }), process.exit(0)));
});
process.send!({ type: 'ready', url: slipway.url });
