// Polls until a condition holds or time runs out; returns the last value, for the assertion to show.

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await fn();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await fn();
  }
  return last;
}
