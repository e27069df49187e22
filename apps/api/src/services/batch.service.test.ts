// BatchService against fakes: a bulk job's manifest and progress are written before anything is
// queued, an all-duplicates job is finished (and called back) at once, and status pages read
// the manifest and progress of the caller's own batch only.
import { NotFoundError } from '@pixelfarm/errors';
import type { BatchManifest } from '@pixelfarm/storage';
import type { BatchCallbackBody, BatchPage, BatchStart } from '@pixelfarm/queue';
import { BatchService } from './batch.service';
import type { BulkItem } from './image-create.service';

function world(items: BulkItem[]) {
  const manifests = new Map<string, BatchManifest>();
  const progress = new Map<string, BatchStart>();
  const done: Array<{ url: string; body: BatchCallbackBody }> = [];
  let page: BatchPage | null = { total: items.length, done: 1, failed: 1, outcomes: ['done', 'failed', null], errors: [null, 'bad html', null] };
  const service = new BatchService({
    creator: {
      enqueueBulk: async (_account, _inputs, job) => {
        await job.prepare(items);
        return items;
      },
    },
    manifests: {
      save: async (m) => void manifests.set(m.batch_id, m),
      get: async (account, id) => (manifests.get(id)?.account === account ? manifests.get(id)! : null),
      delete: async (_account, id) => void manifests.delete(id),
    },
    progress: {
      start: async (id, start) => void progress.set(id, start),
      page: async (_id, start, count) => page && { ...page, outcomes: page.outcomes.slice(start, start + count), errors: page.errors.slice(start, start + count) },
      discard: async (id) => void progress.delete(id),
    },
    callbacks: { enqueue: async () => undefined, enqueueBatchDone: async (_account, url, body) => void done.push({ url, body }) },
    publicUrl: 'http://img.test',
    retentionS: 7 * 86400,
  });
  return { service, manifests, progress, done, expire: () => (page = null) };
}

const item = (id: string, stored = false, ext = ''): BulkItem => ({ id, url: `http://img.test/v1/image/${id}${ext}`, ext, stored, storeOnly: false });

describe('BatchService', () => {
  it('writes the manifest and progress (with already-stored items done) before queueing', async () => {
    const w = world([item('a', true), item('b'), item('c', false, '.jpg')]);
    const accepted = await w.service.create('acct', { requests: [], callback_url: 'https://hooks.example/b' });
    expect(accepted.status_url).toBe(`http://img.test/v1/batches/${accepted.batch_id}`);
    expect(w.manifests.get(accepted.batch_id)).toMatchObject({ account: 'acct', items: [['a', ''], ['b', ''], ['c', '.jpg']] });
    expect(w.progress.get(accepted.batch_id)).toEqual({ account: 'acct', total: 3, statusUrl: accepted.status_url, callbackUrl: 'https://hooks.example/b', doneIndices: [0] });
    expect(w.done).toEqual([]);
  });

  it('finishes a job of duplicates only at once: no worker will', async () => {
    const w = world([item('a', true), item('b', true)]);
    const accepted = await w.service.create('acct', { requests: [], callback_url: 'https://hooks.example/b' });
    expect(w.done).toEqual([{ url: 'https://hooks.example/b', body: { batch_id: accepted.batch_id, total: 2, done: 2, failed: 0, status_url: accepted.status_url } }]);
  });

  it('pages its status from the manifest and progress', async () => {
    const w = world([item('a'), item('b'), item('c')]);
    const { batch_id } = await w.service.create('acct', { requests: [] });
    const first = await w.service.status('acct', batch_id, 0, 2);
    expect(first).toEqual({
      batch_id,
      total: 3,
      queued: 1,
      done: 1,
      failed: 1,
      images: [
        { index: 0, id: 'a', url: 'http://img.test/v1/image/a', status: 'done' },
        { index: 1, id: 'b', url: 'http://img.test/v1/image/b', status: 'failed', error: 'bad html' },
      ],
      next_page_token: expect.any(String),
    });
  });

  it("hides another account's batch and says how long progress is kept", async () => {
    const w = world([item('a')]);
    const { batch_id } = await w.service.create('acct', { requests: [] });
    await expect(w.service.status('other', batch_id, 0, 10)).rejects.toThrow(new NotFoundError('Batch not found'));
    w.expire();
    await expect(w.service.status('acct', batch_id, 0, 10)).rejects.toThrow('Batch not found: the progress of a batch is kept for 7 day(s)');
  });
});
