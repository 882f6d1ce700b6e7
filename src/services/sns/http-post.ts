/** AWS time SNS waits for an HTTP/S endpoint to answer before it counts the attempt as failed. */
const TIMEOUT_MS = 15_000;

/** POSTs a delivery to an HTTP/S endpoint and answers the status; redirects are not followed, as with SNS. */
export async function httpPost(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}
