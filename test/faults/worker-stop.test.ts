// A worker stopped (SIGTERM, as Kubernetes stops a pod) in the middle of a batch whose renders
// outlast its shutdown grace: it takes no new job, lets its renders run for the grace, hands
// the unfinished ones back to the queue and exits with its browser well inside the grace a pod
// gets; the other worker renders every item. The job lock is left at its default (30 s), so
// stalled-job recovery cannot be what brings the handed-back renders to the other worker in time.
import { freePort } from '../support/ports';
import { spawnApp, waitForHttp, type AppProcess } from '../support/processes';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { descendants, survivors } from '../support/process-tree';
import { eventually } from '../support/eventually';

const GRACE_MS = 2_000;
/** The worker's whole stop: the grace, then handing back and closing (the least configuration allows). */
const SHUTDOWN_MS = GRACE_MS + 5_000;
const ITEMS = 4;
/** Longer than the grace, whatever the machine's load: the stopped worker's renders are unfinished when it ends. */
const MS_DELAY = 8_000;

const doneLines = (w: AppProcess) => w.output().split('\n').filter((l) => l.includes('"render done"'));

describe('worker stopped mid-batch', () => {
  let api: AppProcess;
  const workers: AppProcess[] = [];
  const metricsUrls: string[] = [];
  let apiUrl: string;

  beforeAll(async () => {
    const env = testEnv({ WORKER_CONCURRENCY: '2', WORKER_BASE_CONCURRENCY: '2', WORKER_SHUTDOWN_GRACE_MS: String(GRACE_MS), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS), RENDER_WAIT_MS: '60000', LOG_LEVEL: 'info' });
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = spawnApp('api', { ...env, PORT: String(apiPort), PUBLIC_URL: apiUrl });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const w = spawnApp('worker', { ...env, WORKER_PORT: String(port) });
      workers.push(w);
      metricsUrls.push(`http://127.0.0.1:${port}/metrics`);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, w);
    }
    await waitForHttp(`${apiUrl}/readyz`, api);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), ...workers.map((w) => w.stop())]);
  });

  it('exits within its grace, hands its renders back, and the other worker renders every item', async () => {
    const colour = (i: number) => [40 * i, 255 - 40 * i, 90] as const;
    const batch = fetch(`${apiUrl}/v1/image/batch`, {
      method: 'POST',
      headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({
        default_options: { device_scale: 1, ms_delay: MS_DELAY },
        variations: Array.from({ length: ITEMS }, (_, i) => ({ html: `<div style="width:${50 + i}px;height:30px;background:rgb(${colour(i).join(',')})"></div>` })),
      }),
    });
    // Both workers busy: each holds two renders.
    const [stopped, other] = workers as [AppProcess, AppProcess];
    const pagesInUse = async (url: string) => Number(/^pixelfarm_browser_pages\{[^}]*state="in_use"[^}]*\} (\d+)/m.exec(await (await fetch(url)).text())?.[1] ?? 0);
    expect(await eventually(() => pagesInUse(metricsUrls[0]!), (n) => n >= 2, 20_000, 100)).toBe(2);

    const tree = descendants(stopped.child.pid!);
    expect(tree.length).toBeGreaterThan(0);
    const t0 = Date.now();
    const code = await stopped.stop(30_000);
    const stopMs = Date.now() - t0;
    expect({ code, withinDeadline: stopMs <= SHUTDOWN_MS }).toEqual({ code: 0, withinDeadline: true });
    expect(await survivors(tree, 1_000)).toEqual([]);
    expect(stopped.output()).toContain('handing unfinished jobs back to the queue');
    expect(doneLines(stopped)).toEqual([]);

    const res = await batch;
    expect(res.status).toBe(200);
    const { images } = (await res.json()) as { images: Array<{ id: string; url: string }> };
    expect(images).toHaveLength(ITEMS);
    for (const [i, { url }] of images.entries()) {
      const img = await decodeImage(Buffer.from(await (await fetch(url)).arrayBuffer()));
      expect([img.width, img.height]).toEqual([50 + i, 30]);
      expect(img.pixel(5, 5)).toEqual([...colour(i), 255]);
    }
    expect(doneLines(other)).toHaveLength(ITEMS);
  });
});
