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
  const queue = new RenderQueue({ redisUrl, prefix, attempts: 1, backoffMs: 500 });
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
    const queue = new RenderQueue({ redisUrl: env.REDIS_URL!, prefix: env.REDIS_PREFIX!, attempts: 1, backoffMs: 500 });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    try {
      await queue.ready();
      const waiting = newImageId();
      await queue.enqueue({ id: waiting, account: 'waits', request: { html: '<p>x</p>' } });
      expect(await queue.awaitOrWithdraw(waiting, 300)).toEqual({ outcome: 'withdrawn' });
      expect((await queue.counts()).waiting).toBe(0);

      // A worker that holds its job until told: the wait runs out while it is active.
      const worker = new Worker('render-v1', async () => held.then(() => ({ kind: 'image', width: 1, height: 1, bytes: 1, worker: 't' })), {
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

// BullMQ's Job.waitUntilFinished looks at the job from inside an async Promise executor: when that
// Redis call fails (an outage, a Sentinel failover), the rejection is unhandled and Node ends the
// process, which the failover test met in the API. The queue's own wait (job-wait.ts) rejects
// instead. Each runs in a fresh process, whose exit shows what an API process would do.
const LOOK_FAILS = `
const { Job, Queue, QueueEvents } = require('bullmq');
const { untilFinished } = require(${JSON.stringify(path.join(ROOT, 'packages/queue/dist/job-wait'))});
const [url, prefix, id, how] = process.argv.slice(1);
(async () => {
  const queue = new Queue('waits', { connection: { url }, prefix });
  const events = new QueueEvents('waits', { connection: { url }, prefix });
  await queue.add('render', {}, { jobId: id });
  const job = await Job.fromId(queue, id);
  await events.waitUntilReady();
  // The next look at the job fails: its connection is gone.
  await queue.disconnect();
  const wait = how === 'bullmq' ? job.waitUntilFinished(events, 2000) : untilFinished(job, queue, events, 2000);
  const outcome = await wait.then(() => 'resolved', (e) => e.constructor.name + ': ' + e.message);
  await events.close();
  console.log(JSON.stringify(outcome));
})();
`;

describe('a wait whose look at the job fails', () => {
  const run = (how: 'bullmq' | 'ours') => {
    const env = testEnv();
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['-e', LOOK_FAILS, env.REDIS_URL!, env.REDIS_PREFIX!, newImageId(), how], (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it('ends the process under BullMQ’s waitUntilFinished (an unhandled rejection)', async () => {
    const { code, stderr } = await run('bullmq');
    expect(code).toBe(1);
    expect(stderr).toContain('Connection is closed.');
  });

  it('rejects the wait at once with a 503 under the queue’s own', async () => {
    const { code, stdout } = await run('ours');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toBe('UnavailableError: The render queue is unavailable, please retry');
  });
});
