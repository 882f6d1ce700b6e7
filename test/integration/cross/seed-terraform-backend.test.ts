import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../../helpers/aws-cli.js';
import { startSlipway, type TestSlipway } from '../../helpers/slipway.js';

function installed(cmd: string): boolean {
  try {
    execFileSync(cmd, ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The seed's backend block, unchanged, with a resource that needs no provider download. */
const MAIN_TF = (input: string) => `terraform {
required_version = ">= 1.0"
backend "s3" {
bucket = "terraform-state-bucket"
key = "prod/terraform.tfstate"
region = "us-east-1"
encrypt = true
dynamodb_table = "terraform-locks"
}
}
resource "terraform_data" "app" {
  input = "${input}"
}
output "app" { value = terraform_data.app.output }
`;

/** The seed's "State Management with S3 Backend": the aws CLI commands, then Terraform itself using the backend. */
describe.skipIf(!installed('terraform'))('seed: Terraform state in a versioned, encrypted S3 bucket with a DynamoDB lock table', () => {
  let sw: TestSlipway;
  let cli: ReturnType<typeof awsCli>;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const terraform = (command: string, ...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      const flags = command === 'force-unlock' ? ['-no-color'] : ['-no-color', '-input=false'];
      execFile('terraform', [command, ...flags, ...args], { cwd: dir, env }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
      });
    });

  beforeAll(async () => {
    sw = await startSlipway();
    cli = awsCli(sw.env);
    dir = join(sw.dataDir, 'infra');
    mkdirSync(dir);
    // Bucket names become host names with virtual-host addressing; *.localhost does not resolve on
    // every machine, and the SDK addresses an IP endpoint path-style.
    env = { ...sw.env, AWS_ENDPOINT_URL: sw.url.replace('localhost', '127.0.0.1'), TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  });
  afterAll(() => sw.close());

  it('the seed commands prepare the bucket and the lock table', async () => {
    for (const args of [
      ['s3', 'mb', 's3://terraform-state-bucket'],
      ['s3api', 'put-bucket-versioning', '--bucket', 'terraform-state-bucket', '--versioning-configuration', 'Status=Enabled'],
      ['s3api', 'put-bucket-encryption', '--bucket', 'terraform-state-bucket', '--server-side-encryption-configuration', '{\n"Rules": [{\n"ApplyServerSideEncryptionByDefault": {\n"SSEAlgorithm": "AES256"\n}\n}]\n}'],
      ['dynamodb', 'create-table', '--table-name', 'terraform-locks', '--attribute-definitions', 'AttributeName=LockID,AttributeType=S', '--key-schema', 'AttributeName=LockID,KeyType=HASH', '--provisioned-throughput', 'ReadCapacityUnits=5,WriteCapacityUnits=5'],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it('terraform init and apply keep every state version in the bucket and release the lock', async () => {
    writeFileSync(join(dir, 'main.tf'), MAIN_TF('v1'));
    const init = await terraform('init');
    expect(init.code, init.out).toBe(0);
    expect(init.out).toContain('Successfully configured the backend "s3"!');
    const first = await terraform('apply', '-auto-approve');
    expect(first.code, first.out).toBe(0);
    writeFileSync(join(dir, 'main.tf'), MAIN_TF('v2'));
    const second = await terraform('apply', '-auto-approve');
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain('app = "v2"');

    const versions = (await cli('s3api', 'list-object-versions', '--bucket', 'terraform-state-bucket')).json<{ Versions: { Key: string; IsLatest: boolean }[] }>().Versions;
    expect(versions.map((v) => [v.Key, v.IsLatest])).toEqual([['prod/terraform.tfstate', true], ['prod/terraform.tfstate', false]]);
    const head = (await cli('s3api', 'head-object', '--bucket', 'terraform-state-bucket', '--key', 'prod/terraform.tfstate')).json<{ ServerSideEncryption: string; ETag: string }>();
    expect(head.ServerSideEncryption).toBe('AES256');
    const got = await cli('s3', 'cp', 's3://terraform-state-bucket/prod/terraform.tfstate', '-');
    const state = JSON.parse(got.stdout) as { serial: number; outputs: { app: { value: string } } };
    expect(state.outputs.app.value).toBe('v2');

    // Terraform keeps the state's MD5 in the lock table and deletes its lock item when done.
    const items = (await cli('dynamodb', 'scan', '--table-name', 'terraform-locks')).json<{ Items: { LockID: { S: string }; Digest?: { S: string } }[] }>().Items;
    expect(items).toEqual([{ LockID: { S: 'terraform-state-bucket/prod/terraform.tfstate-md5' }, Digest: { S: head.ETag.replace(/"/g, '') } }]);
  });

  it('a lock held by someone else stops terraform, as the conditional write refuses the second holder', async () => {
    const info = JSON.stringify({ ID: 'held-by-ci', Operation: 'OperationTypeApply', Who: 'ci@build', Version: '1.11.4', Created: '2024-01-01T00:00:00Z', Path: 'terraform-state-bucket/prod/terraform.tfstate' });
    const held = await cli('dynamodb', 'put-item', '--table-name', 'terraform-locks', '--item', JSON.stringify({ LockID: { S: 'terraform-state-bucket/prod/terraform.tfstate' }, Info: { S: info } }),
      '--condition-expression', 'attribute_not_exists(LockID)');
    expect(held.code, held.stderr).toBe(0);
    const plan = await terraform('plan', '-lock-timeout=0s');
    expect(plan.code).not.toBe(0);
    expect(plan.out).toContain('Error acquiring the state lock');
    expect(plan.out).toContain('held-by-ci');
    const unlock = await terraform('force-unlock', '-force', 'held-by-ci');
    expect(unlock.code, unlock.out).toBe(0);
    const again = await terraform('plan', '-lock-timeout=0s');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('No changes.');
  });
});
