// Chaos: 150 renders while worker processes are SIGKILLed and restarted every few seconds.
// Stalled-job recovery must re-run what the dead workers held; every create must succeed with
// the right image, and no Chromium process may outlive its worker.
import { freePort } from '../support/ports';
import { spawnApp, waitForHttp, type AppProcess } from '../support/processes';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { descendants, survivors } from '../support/process-tree';

// Enough for dozens of kills (one every 3 s) while keeping the suite inside its time budget:
// a worker lives about 6 s and spends 2-4 s of it starting Chromium, so renders trickle.
const JOBS = 150;

describe('chaos: workers killed mid-render', () => {
  it(`completes all ${JOBS} renders correctly while workers are SIGKILLed and restarted`, async () => {
    const env = testEnv({
      WORKER_CONCURRENCY: '2',
      JOB_LOCK_MS: '4000',
      JOB_STALLED_INTERVAL_MS: '1000',
      JOB_MAX_STALLS: '20',
      RENDER_WAIT_MS: '300000',
      // The creates, their retries and the GETs that check them come faster than an API key's
      // default burst: this test is about workers dying, not about the rate limit.
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = spawnApp('api', { ...env, PORT: String(apiPort), PUBLIC_URL: apiUrl });
    // A worker that exits without being killed is a bug of its own: note it with its output.
    const unexpectedExits: string[] = [];
    const killed = new Set<AppProcess>();
    const startWorker = () => {
      // Port 0: the worker's health port is not needed here, and a picked port could be taken meanwhile.
      const w = spawnApp('worker', { ...env, WORKER_PORT: '0' });
      w.child.once('exit', (code, signal) => {
        if (!killed.has(w)) unexpectedExits.push(`worker exited (${code ?? signal}) on its own:\n${w.output().slice(-2000)}`);
      });
      return w;
    };
    const workers: AppProcess[] = [await startWorker(), await startWorker()];
    const orphans: number[] = [];
    let kills = 0;
    let stop = false;
    let answered = 0;

    try {
      await waitForHttp(`${apiUrl}/readyz`, api);
      const colour = (i: number) => [(i * 7) % 256, (i * 13) % 256, (i * 29) % 256] as const;
      const creates = Promise.all(
        Array.from({ length: JOBS }, async (_, i) => {
          const [r, g, b] = colour(i);
          const res = await fetch(`${apiUrl}/v1/image`, {
            method: 'POST',
            headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
            body: JSON.stringify({ html: `<div style="width:${40 + (i % 50)}px;height:20px;background:rgb(${r},${g},${b})"></div>`, device_scale: 1 }),
          });
          const body = (await res.json()) as { id: string; url: string; message?: string };
          answered++;
          return { i, status: res.status, body };
        }),
      );

      // When a fifth, two fifths and three fifths of the creates are answered: SIGKILL one worker
      // (alternating), note its browser processes, start a replacement. Tied to progress rather
      // than to the clock, the kills land mid-run however fast the renders are.
      const chaos = (async () => {
        let victim = 0;
        for (const share of [0.2, 0.4, 0.6]) {
          while (!stop && answered < JOBS * share) await new Promise((r) => setTimeout(r, 20));
          if (stop) break;
          const w = workers[victim]!;
          const tree = descendants(w.child.pid!);
          killed.add(w);
          // One that already exited would never emit 'exit' again.
          if (w.child.exitCode === null && w.child.signalCode === null) {
            const exited = new Promise((r) => w.child.once('exit', r));
            w.child.kill('SIGKILL');
            await exited;
          }
          kills++;
          workers[victim] = await startWorker();
          void survivors(tree).then((left) => orphans.push(...left));
          victim = 1 - victim;
        }
      })();

      const results = await creates;
      stop = true;
      await chaos;
      await new Promise((r) => setTimeout(r, 10_500)); // let the last orphan checks finish

      const failed = results.filter((r) => r.status !== 200);
      expect(failed).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(JOBS);
      for (const { i, body } of results) {
        const res = await fetch(body.url);
        expect(res.status).toBe(200);
        const img = await decodeImage(Buffer.from(await res.arrayBuffer()));
        expect([img.width, img.height]).toEqual([40 + (i % 50), 20]);
        expect(img.pixel(5, 5)).toEqual([...colour(i), 255]);
      }
      expect(orphans).toEqual([]);
      expect(unexpectedExits).toEqual([]);
    } finally {
      stop = true;
      const trees = workers.map((w) => (w.child.pid ? descendants(w.child.pid) : []));
      await Promise.all([api.stop(), ...workers.map((w) => w.stop())]);
      // After a graceful stop too, no browser process is left behind.
      expect(await survivors(trees.flat())).toEqual([]);
    }
  }, 600_000);
});
