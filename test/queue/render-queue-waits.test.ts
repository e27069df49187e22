// Many requests may wait on one render at once (identical creates, GETs of an image still
// rendering). They share the queue's event stream and connection, and none of them may trip
// Node's listener-leak warning, which filled the API's log under exactly that load. Node warns
// once per emitter and event, so the scenario runs in a fresh process (the built package, real
// Redis, no worker: the job stays queued and every wait runs out).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { newImageId } from '@pixelfarm/schemas';
import { testEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');

const SCENARIO = `
const { RenderQueue } = require(${JSON.stringify(path.join(ROOT, 'packages/queue/dist'))});
const [redisUrl, prefix, id] = process.argv.slice(1);
(async () => {
  const queue = new RenderQueue({ redisUrl, prefix, attempts: 1 });
  await queue.ready();
  await queue.enqueue({ id, account: 'waits', request: { html: '<p>x</p>' } });
  const waits = await Promise.allSettled(Array.from({ length: 30 }, () => queue.waitForResult(id, 300)));
  await queue.removeMany([id]);
  await queue.close();
  console.log(JSON.stringify(waits.map((w) => w.status === 'rejected' && w.reason.code)));
})();
`;

describe('waiting on one render', () => {
  it('lets 30 requests wait on the same job without a MaxListenersExceededWarning', async () => {
    const env = testEnv();
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', SCENARIO, env.REDIS_URL!, env.REDIS_PREFIX!, newImageId()]);
    // The control: every wait was registered and ran out (503, "did not finish in time").
    expect(JSON.parse(stdout)).toEqual(Array(30).fill('UNAVAILABLE'));
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
  });
});

describe('a wait that runs out (awaitOrWithdraw)', () => {
  it('withdraws a job no worker took, and leaves one a worker holds', async () => {
    const { RenderQueue } = await import('@pixelfarm/queue');
    const { Worker } = await import('bullmq');
    const env = testEnv();
    const queue = new RenderQueue({ redisUrl: env.REDIS_URL!, prefix: env.REDIS_PREFIX!, attempts: 1 });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    try {
      await queue.ready();
      const waiting = newImageId();
      await queue.enqueue({ id: waiting, account: 'waits', request: { html: '<p>x</p>' } });
      expect(await queue.awaitOrWithdraw(waiting, 300)).toEqual({ outcome: 'withdrawn' });
      expect((await queue.counts()).waiting).toBe(0);

      // A worker that holds its job until told: the wait runs out while it is active.
      const worker = new Worker('render-v1', async () => held.then(() => ({ width: 1, height: 1, bytes: 1, worker: 't' })), {
        connection: { url: env.REDIS_URL! },
        prefix: env.REDIS_PREFIX!,
      });
      try {
        const running = newImageId();
        await queue.enqueue({ id: running, account: 'waits', request: { html: '<p>y</p>' } });
        expect(await queue.awaitOrWithdraw(running, 1000)).toEqual({ outcome: 'running' });
        release();
        expect(await queue.awaitOrWithdraw(running, 5000)).toMatchObject({ outcome: 'completed', result: { worker: 't' } });
      } finally {
        await worker.close();
      }
    } finally {
      release();
      await queue.close();
    }
  });
});
