/** GETs `url`'s text, retrying while nothing listens yet: a server started in the background (by user data, a hook) binds within moments. */
export async function fetchText(url: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
