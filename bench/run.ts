// npm run bench [name...]: runs the benchmarks and prints markdown rows for docs/benchmarks.md.
import { benchCloudwatch } from './cloudwatch.js';
import { benchCodebuild } from './codebuild.js';
import { benchCodecommit } from './codecommit.js';
import { benchCodedeploy } from './codedeploy.js';
import { benchCodedeployLambda } from './codedeploy-lambda.js';
import { benchCodedeployTraffic } from './codedeploy-traffic.js';
import { benchCodepipeline } from './codepipeline.js';
import { benchDynamodb } from './dynamodb.js';
import { benchElbv2 } from './elbv2.js';
import { benchEvents } from './events.js';
import { benchGateway } from './gateway.js';
import { benchLambda } from './lambda.js';
import { pinning } from './lib/servers.js';
import { machine } from './lib/stats.js';
import { benchLogs } from './logs.js';
import { benchS3 } from './s3.js';
import { benchSqs } from './sqs.js';

const suites: Record<string, () => Promise<string[]>> = {
  gateway: benchGateway,
  cloudwatch: benchCloudwatch,
  dynamodb: benchDynamodb,
  sqs: benchSqs,
  events: benchEvents,
  logs: benchLogs,
  s3: benchS3,
  codecommit: benchCodecommit,
  elbv2: benchElbv2,
  codepipeline: benchCodepipeline,
  codebuild: benchCodebuild,
  codedeploy: benchCodedeploy,
  'codedeploy-traffic': benchCodedeployTraffic,
  'codedeploy-lambda': benchCodedeployLambda,
  lambda: benchLambda,
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(suites);
console.log(`Machine: ${machine()}; ${pinning}\n`);
console.log('| Measure | Slipway | Baseline (same run) | Target |');
console.log('|---|---|---|---|');
for (const name of names) {
  const suite = suites[name];
  if (!suite) throw new Error(`unknown benchmark ${name}; have ${Object.keys(suites).join(', ')}`);
  for (const row of await suite()) console.log(row);
}
