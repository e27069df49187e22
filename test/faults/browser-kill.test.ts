// The browser killed under load, again and again: ten rounds of eight creates in flight (half
// of them waiting ms_delay in the page) while every Chromium process of the worker gets
// SIGKILL. Each create must answer 200 with its own pixels soon after the kill that hit it:
// the attempt on the dead browser fails at once and the retry runs on the relaunched one. Then
// the browser is killed once more and the worker gets SIGTERM while it relaunches: the worker
// and every Chromium process must be gone within its shutdown grace.
import { freePort } from '../support/ports';
import { spawnApp, waitForHttp, type AppProcess } from '../support/processes';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { commandLine, descendants, survivors } from '../support/process-tree';

const ROUNDS = 10;
const IN_FLIGHT = 8;
/**
 * From a kill to each create's 200: "within 10 s of its kill". The attempt on the dead browser
 * fails within milliseconds and its retry waits for the relaunch. Measured on a fresh clone's CI
 * run: each round's slowest create 2.7-3.6 s; in four runs beside an npm install, 2.6-6.7 s.
 */
const AFTER_KILL_MS = 10_000;
const GRACE_MS = 5_000;
/** The worker's whole stop: the grace, then handing back and closing (the least configuration allows). */
const SHUTDOWN_MS = GRACE_MS + 5_000;

/** SIGKILL to every Chromium process under the worker; resolves with how many there were. */
function killBrowser(worker: AppProcess): number {
  const browsers = descendants(worker.child.pid!).filter((pid) => /chrom/i.test(commandLine(pid)));
  for (const pid of browsers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  return browsers.length;
}

describe('browser killed mid-render, ten times', () => {
  let api: AppProcess;
  let worker: AppProcess;
  let apiUrl: string;

  beforeAll(async () => {
    const env = testEnv({ WORKER_CONCURRENCY: '4', WORKER_BASE_CONCURRENCY: '4', WORKER_SHUTDOWN_GRACE_MS: String(GRACE_MS), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS), RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'info' });
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = spawnApp('api', { ...env, PORT: String(apiPort), PUBLIC_URL: apiUrl });
    const workerPort = await freePort();
    worker = spawnApp('worker', { ...env, WORKER_PORT: String(workerPort) });
    await waitForHttp(`${apiUrl}/readyz`, api);
    await waitForHttp(`http://127.0.0.1:${workerPort}/readyz`, worker);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(1_000)]);
  });

  it('answers every create with its pixels soon after its kill, then stops within its grace', async () => {
    const late: string[] = [];
    const worst: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const colour = (i: number) => [(round * 25 + i * 30) % 256, (i * 70) % 256, 200 - round * 10] as const;
      let killedAt = Infinity;
      const creates = Array.from({ length: IN_FLIGHT }, async (_, i) => {
        const [r, g, b] = colour(i);
        const res = await fetch(`${apiUrl}/v1/image`, {
          method: 'POST',
          headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
          body: JSON.stringify({
            html: `<div style="width:${60 + i}px;height:${20 + round}px;background:rgb(${r},${g},${b})"></div>`,
            device_scale: 1,
            ...(i % 2 === 0 ? { ms_delay: 1000 + i * 100 } : {}),
          }),
        });
        const answeredAt = Date.now();
        return { i, status: res.status, body: (await res.json()) as { url: string; message?: string }, afterKillMs: answeredAt - killedAt };
      });
      await new Promise((r) => setTimeout(r, 600));
      killedAt = Date.now();
      expect(killBrowser(worker)).toBeGreaterThan(0);
      const results = await Promise.all(creates);
      worst.push(Math.max(...results.map((r) => r.afterKillMs)));
      for (const { i, status, body, afterKillMs } of results) {
        if (status !== 200 || afterKillMs > AFTER_KILL_MS) late.push(`round ${round} create ${i}: ${status} ${body.message ?? ''} after ${afterKillMs} ms`);
        if (status !== 200) continue;
        const img = await decodeImage(Buffer.from(await (await fetch(body.url)).arrayBuffer()));
        expect([img.width, img.height]).toEqual([60 + i, 20 + round]);
        expect(img.pixel(5, 5)).toEqual([...colour(i), 255]);
      }
    }
    process.stdout.write(`browser kill: slowest create of each round answered ${worst.join(', ')} ms after its kill\n`);
    // A late create is explained by the worker's log (attempts, relaunches), so it is printed.
    if (late.length > 0) process.stdout.write(`worker log:\n${worker.output()}\n`);
    expect(late).toEqual([]);

    // Once more, and SIGTERM while the browser relaunches. Every process the worker had under it
    // meanwhile (the relaunched browser included) is noted until it exits.
    const seen = new Set(descendants(worker.child.pid!));
    killBrowser(worker);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const stopped = worker.stop(GRACE_MS + 10_000);
    const watch = setInterval(() => descendants(worker.child.pid!).forEach((pid) => seen.add(pid)), 50);
    const code = await stopped;
    clearInterval(watch);
    const stopMs = Date.now() - t0;
    const left = await survivors([...seen], 500);
    expect({ code, left, withinDeadline: stopMs <= SHUTDOWN_MS }).toEqual({ code: 0, left: [], withinDeadline: true });
  }, 300_000);
});
