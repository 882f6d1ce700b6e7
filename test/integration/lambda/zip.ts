import { zipSync } from 'fflate';

/** A deployment package from file contents; `executable` files get mode 755 (a `provided` bootstrap). */
export function makeZip(files: Record<string, string>, executable: string[] = []): Buffer {
  const entries = Object.fromEntries(
    Object.entries(files).map(([name, text]) => [name, [Buffer.from(text), { os: 3, attrs: (executable.includes(name) ? 0o100755 : 0o100644) << 16 }]]),
  );
  return Buffer.from(zipSync(entries as Parameters<typeof zipSync>[0]));
}

export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

/** A Node handler answering with its version's tag, the event and some context. */
export function nodeEcho(tag: string): Buffer {
  return makeZip({
    'index.js': `exports.handler = async (event, context) => {
  console.log('event', JSON.stringify(event));
  if (event.fail) throw new Error('boom ' + ${JSON.stringify(tag)});
  return { tag: ${JSON.stringify(tag)}, event, requestId: context.awsRequestId, name: context.functionName, version: context.functionVersion, remaining: context.getRemainingTimeInMillis() > 0, env: process.env.GREETING ?? null };
};`,
  });
}
