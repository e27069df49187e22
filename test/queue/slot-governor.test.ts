// Render slots under a bulk backlog, with real Redis and BullMQ: a bulk backlog gets
// the base slots (one per CPU), an interactive render arriving meanwhile takes the next slot
// that frees (before the backlog drains) without opening one, and an interactive flood gets
// every slot.
import type { Worker } from 'bullmq';
import { loadConfig } from '@pixelfarm/config';
import { createRenderWorker, InteractiveDemand, JOB_NAMES, RenderQueue, type Lane } from '@pixelfarm/queue';
import { newImageId } from '@pixelfarm/schemas';
import { SlotGovernor } from '../../apps/worker/src/slot-governor';
import { testEnv } from '../support/test-env';
import { eventually } from '../support/eventually';

const BASE = 2;
const MAX = 4;
const HOLD_MS = 150;

describe('slot governor', () => {
  let queue: RenderQueue;
  let demand: InteractiveDemand;
  let worker: Worker;
  let governor: SlotGovernor;
  const running = new Map<string, Lane>();
  const starts: { lane: Lane; bulk: number; interactive: number }[] = [];
  const lanes = new Map<string, Lane>();
  /** How long each job holds its slot: alternate jobs twice as long, so two never end together. */
  const holds = new Map<string, number>();

  beforeAll(async () => {
    const config = loadConfig(testEnv());
    queue = new RenderQueue({ ...config.queue, attempts: 1 });
    await queue.ready();
    demand = new InteractiveDemand(config.queue);
    worker = createRenderWorker({
      ...config.queue,
      concurrency: MAX,
      processors: new Map([
        [
          JOB_NAMES.render,
          async (job) => {
            const lane = lanes.get(job.data.id)!;
            running.set(job.data.id, lane);
            const count = (l: Lane) => [...running.values()].filter((x) => x === l).length;
            starts.push({ lane, bulk: count('bulk'), interactive: count('interactive') });
            await new Promise((r) => setTimeout(r, holds.get(job.data.id)));
            running.delete(job.data.id);
            return { kind: 'image' as const, width: 1, height: 1, bytes: 0, worker: 'test' };
          },
        ],
      ]),
    });
    // The governor follows the worker's own job events, as in the worker app.
    governor = new SlotGovernor({ worker, base: BASE, max: MAX, waiting: () => demand.waiting(), everyMs: 20 });
    void worker.run();
    governor.start();
  });

  afterAll(async () => {
    governor?.stop();
    await worker?.close();
    await demand?.close();
    await queue?.close();
  });

  const enqueue = async (lane: Lane, n: number) => {
    const ids = Array.from({ length: n }, () => newImageId());
    for (const [i, id] of ids.entries()) {
      lanes.set(id, lane);
      holds.set(id, HOLD_MS * (1 + (i % 2)));
      await queue.enqueue({ id, account: 'tester', request: { html: `<p>${id}</p>` } }, lane);
    }
    return ids;
  };
  const drained = () =>
    eventually(
      () => queue.counts(),
      (c) => c.waiting + c.prioritized + c.active + c.delayed === 0,
    );

  it('runs a bulk backlog alone on the base slots, all of them', async () => {
    starts.length = 0;
    await enqueue('bulk', 12);
    await drained();
    expect(starts).toHaveLength(12);
    expect(Math.max(...starts.map((s) => s.bulk))).toBe(BASE);
  });

  it('gives an interactive render arriving during a backlog the next slot that frees, beside one bulk render, not three', async () => {
    starts.length = 0;
    await enqueue('bulk', 20);
    await eventually(() => Promise.resolve(running.size), (n) => n === BASE, 5_000, 10);
    await enqueue('interactive', 1);
    await drained();
    const at = starts.findIndex((s) => s.lane === 'interactive');
    // Taken at the next completion, long before the 20 bulk renders are done.
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(4);
    expect(starts[at]!.bulk).toBe(BASE - 1);
    expect(Math.max(...starts.map((s) => s.bulk + s.interactive))).toBe(BASE);
  });

  it('gives an interactive flood every slot', async () => {
    starts.length = 0;
    await enqueue('interactive', 16);
    await drained();
    expect(Math.max(...starts.map((s) => s.interactive))).toBe(MAX);
  });
});
