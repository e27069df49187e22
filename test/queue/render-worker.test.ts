// A job that fails for good is reported once: from inside the processor, and not again by the
// 'failed' event that BullMQ emits with the same error (real Redis).
import { RenderInputError } from '@pixelfarm/errors';
import { newImageId } from '@pixelfarm/schemas';
import { loadConfig } from '@pixelfarm/config';
import { createRenderWorker, JOB_NAMES, RenderQueue, type RenderFailure } from '@pixelfarm/queue';
import { testEnv } from '../support/test-env';

describe('render worker final failures', () => {
  const config = loadConfig(testEnv());
  const queue = new RenderQueue({ ...config.queue, attempts: 1 });
  const reports: Array<{ id: string; failure: RenderFailure }> = [];
  const failed: string[] = [];
  const worker = createRenderWorker({
    ...config.queue,
    concurrency: 1,
    processors: new Map([
      [
        JOB_NAMES.render,
        async (job) => {
          if (job.data.request.html === 'input') throw new RenderInputError('No visible element matches the selector #x');
          throw new Error('browser went away');
        },
      ],
    ]),
    onFailed: (job) => failed.push(job!.data.id),
    onFinalFailure: async (job, failure) => {
      reports.push({ id: job.data.id, failure });
    },
  });

  beforeAll(async () => {
    await queue.ready();
    void worker.run();
  });
  afterAll(async () => {
    await worker.close();
    await queue.close();
  });

  it.each([
    ['an input error', 'input', { kind: 'input', message: 'No visible element matches the selector #x' }],
    ['an internal error on the last attempt', 'internal', { kind: 'internal', message: 'browser went away' }],
  ])('reports %s once', async (_what, html, failure) => {
    const id = newImageId();
    await queue.enqueue({ id, account: 'a', request: { html } });
    await expect(queue.waitForResult(id, 10_000)).rejects.toThrow();
    // Give a second report, were there one, the time to arrive: the 'failed' listeners run in order.
    for (let i = 0; i < 50 && !failed.includes(id); i++) await new Promise((r) => setTimeout(r, 20));
    expect(failed).toContain(id);
    expect(reports.filter((r) => r.id === id)).toEqual([{ id, failure }]);
  });
});
