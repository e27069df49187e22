// ImageCreateService against in-memory fakes of its narrow dependencies: what a create writes,
// queues and undoes on each path (stored, render as owner, render as follower, bulk), and that
// it leaves every outcome's bookkeeping to the worker (the job's settlement).
import { RenderInputError, TooManyRequestsError, UnavailableError } from '@pixelfarm/errors';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import type { Lane, RenderJobData, RenderWait } from '@pixelfarm/queue';
import { ImageCreateService, type BulkItem, type ImageCreateDeps } from './image-create.service';

type Outcome = RenderWait | Error;

/** The fakes, with what they saw. */
function world(opts: { cap?: number; outcome?: (job: RenderJobData) => Outcome } = {}) {
  const records = new Map<string, { account: string }>();
  const originals = new Set<string>();
  const listed = new Set<string>();
  const tickets = new Map<Lane, Set<string>>([
    ['interactive', new Set()],
    ['bulk', new Set()],
  ]);
  const jobs = new Map<string, { data: RenderJobData; lane: Lane }>();
  const removed: string[] = [];
  const claims = new Set<string>();
  const dedupe = new Map<string, string>();
  const callbacks: Array<{ url: string; body: string }> = [];
  const outcome = opts.outcome ?? (() => ({ outcome: 'completed', result: { kind: 'image', width: 1, height: 1, bytes: 1, worker: 'w' } }) as const);
  const deps: ImageCreateDeps = {
    resolver: { resolve: async (_account, input) => ({ request: input }) },
    images: {
      saveRecord: async (r) => void records.set(r.id, { account: r.account }),
      getRecord: async <T>(id: string) => (records.has(id) ? ({ id, created_at: '2026-01-01T00:00:00.000Z' } as never as T) : null),
      hasOriginal: async (id) => originals.has(id),
      deleteImage: async (id) => void records.delete(id),
    },
    index: {
      add: async (_account, entry) => void listed.add(entry.id),
      remove: async (_account, _created, id) => void listed.delete(id),
    },
    queue: {
      enqueue: async (data) => void (jobs.has(data.id) || jobs.set(data.id, { data, lane: 'interactive' })),
      enqueueMany: async (data, lane) => data.forEach((d) => jobs.set(d.id, { data: d, lane })),
      removeMany: async (ids) => ids.forEach((id) => jobs.delete(id) && removed.push(id)),
      awaitOrWithdraw: async (id) => {
        const result = outcome(jobs.get(id)!.data);
        if (result instanceof Error) throw result;
        if (result.outcome === 'withdrawn') {
          jobs.delete(id);
          removed.push(id);
        }
        return result;
      },
      discardFinished: async () => undefined,
    },
    admission: {
      admit: async (lane, ids) => {
        if (tickets.get(lane)!.size + ids.length > (opts.cap ?? 100)) throw new TooManyRequestsError('The render queue is full, please retry later', 5);
        ids.forEach((id) => tickets.get(lane)!.add(id));
      },
      release: async (lane, ids) => ids.forEach((id) => tickets.get(lane)!.delete(id)),
    },
    claims: {
      claim: async (id) => !claims.has(id) && Boolean(claims.add(id)),
      release: async (id) => void claims.delete(id),
    },
    dedupe: { lookup: async (account, hash) => dedupe.get(`${account}:${hash}`) ?? null },
    callbacks: { enqueue: async (data) => void callbacks.push({ url: data.url, body: data.body }) },
    metrics: { enqueued: () => undefined, result: () => undefined },
    credits: { spend: async (_account, wanted) => ({ allowed: 0, consumed: wanted, used: wanted }) },
    publicUrl: 'http://img.test',
    renderWaitMs: 1000,
    dedupeDefaultS: 60,
  };
  return { deps, service: new ImageCreateService(deps), records, originals, listed, tickets, jobs, removed, claims, dedupe, callbacks };
}

const html = (text: string): CreateImageRequest => ({ html: `<p>${text}</p>` });
const bulkJob = (prepared: BulkItem[][] = []) => ({
  id: 'b-1',
  prepare: async (items: readonly BulkItem[]) => void prepared.push([...items]),
  discard: async () => undefined,
});

describe('ImageCreateService', () => {
  it('records, queues with the settlement the worker needs, and leaves the ticket to the worker', async () => {
    const w = world();
    const created = await w.service.create('acct', { ...html('a'), callback_url: 'https://hooks.example/x' });
    expect(created.url).toBe(`http://img.test/v1/image/${created.id}`);
    expect(w.records.has(created.id) && w.listed.has(created.id)).toBe(true);
    const job = w.jobs.get(created.id)!.data;
    expect(job.request).toEqual(html('a'));
    expect(job.settle).toEqual({ lane: 'interactive', dedupe: { hash: expect.any(String), ttlS: 60 } });
    expect(job.notify).toEqual({ imageUrl: created.url, callbackUrl: 'https://hooks.example/x' });
    // Released by the worker with the outcome, not by the API when its wait ends.
    expect(w.tickets.get('interactive')).toEqual(new Set([created.id]));
  });

  it('answers a duplicate from storage without queueing, and tells its callback', async () => {
    const w = world();
    const first = await w.service.create('acct', html('same'));
    const hash = w.jobs.get(first.id)!.data.settle!.dedupe!.hash;
    w.dedupe.set(`acct:${hash}`, first.id);
    w.originals.add(first.id);
    w.jobs.clear();
    const again = await w.service.create('acct', { ...html('same'), callback_url: 'https://hooks.example/d' });
    expect(again.id).toBe(first.id);
    expect(w.jobs.size).toBe(0);
    expect(w.callbacks).toEqual([{ url: 'https://hooks.example/d', body: JSON.stringify({ id: first.id, url: first.url, status: 'done' }) }]);
  });

  it('does not dedupe url captures', async () => {
    const w = world();
    await w.service.create('acct', { url: 'https://example.com/' });
    expect([...w.jobs.values()][0]!.data.settle).toEqual({ lane: 'interactive' });
  });

  it('withdraws a render that had not started when the wait ended: no job, record, listing or ticket is left', async () => {
    const w = world({ outcome: () => ({ outcome: 'withdrawn' }) });
    const attempt = w.service.create('acct', html('late'));
    await expect(attempt).rejects.toThrow(new UnavailableError('The render did not start within 1000 ms (the queue is busy); nothing was kept, please retry'));
    expect(w.records.size + w.listed.size + w.jobs.size + w.tickets.get('interactive')!.size).toBe(0);
  });

  it('leaves a running render to its worker when the wait ends', async () => {
    const w = world({ outcome: () => ({ outcome: 'running' }) });
    await expect(w.service.create('acct', html('slow'))).rejects.toThrow('The render did not finish within 1000 ms; it will still be completed and listed');
    const [id] = [...w.jobs.keys()];
    expect(w.records.has(id!) && w.listed.has(id!)).toBe(true);
    expect(w.tickets.get('interactive')).toEqual(new Set([id]));
  });

  it('passes an input failure on as the error (the worker forgets the record)', async () => {
    const w = world({ outcome: () => new RenderInputError('No visible element matches the selector #x') });
    await expect(w.service.create('acct', html('bad'))).rejects.toThrow(new RenderInputError('No visible element matches the selector #x'));
  });

  it('undoes its writes when the queue cannot take the job', async () => {
    const w = world();
    w.deps.queue.enqueue = async () => {
      throw new UnavailableError('The render queue is unavailable, please retry');
    };
    await expect(w.service.create('acct', html('x'))).rejects.toThrow('The render queue is unavailable, please retry');
    expect(w.records.size + w.listed.size + w.tickets.get('interactive')!.size).toBe(0);
  });

  it('refuses at once when the lane is full, writing nothing', async () => {
    const w = world({ cap: 0 });
    await expect(w.service.create('acct', html('x'))).rejects.toBeInstanceOf(TooManyRequestsError);
    expect(w.records.size + w.jobs.size).toBe(0);
  });

  it('names the failing variation of a batch and queues nothing', async () => {
    const w = world();
    w.deps.resolver.resolve = async (_a, input) => {
      if (input.html === '<p>2</p>') throw new RenderInputError('template not found');
      return { request: input };
    };
    await expect(w.service.createBatch('acct', [html('1'), html('2')])).rejects.toThrow('variations[1]: template not found');
    expect(w.jobs.size).toBe(0);
  });

  it('signed URLs: the first request writes the record, a concurrent one follows; whichever job is queued settles the image', async () => {
    const w = world({ outcome: () => ({ outcome: 'running' }) });
    const first = w.service.ensure('acct', html('signed')).catch((e: Error) => e);
    const second = w.service.ensure('acct', html('signed')).catch((e: Error) => e);
    await Promise.all([first, second]);
    const [job] = [...w.jobs.values()];
    expect(w.jobs.size).toBe(1);
    // The follower's job may reach the queue first (the owner writes the record meanwhile):
    // the settlement must not depend on which one did.
    expect(job!.data.settle).toEqual({ lane: 'interactive' });
    expect(w.records.size).toBe(1);
  });

  it('bulk: validates every variation first, then admits, records and queues in the bulk lane with settlements', async () => {
    const w = world();
    const prepared: BulkItem[][] = [];
    const items = await w.service.enqueueBulk('acct', [html('1'), { ...html('2'), callback_url: 'https://hooks.example/2' }], bulkJob(prepared));
    expect(items.map((i) => i.stored)).toEqual([false, false]);
    expect(prepared).toEqual([items]);
    for (const [index, item] of items.entries()) {
      const { data, lane } = w.jobs.get(item.id)!;
      expect(lane).toBe('bulk');
      expect(data.settle).toEqual({ lane: 'bulk', dedupe: { hash: expect.any(String), ttlS: 60 } });
      expect(data.notify?.batch).toEqual({ id: 'b-1', index });
    }
    expect(w.jobs.get(items[1]!.id)!.data.notify?.callbackUrl).toBe('https://hooks.example/2');
    expect(w.tickets.get('bulk')!.size).toBe(2);
  });

  it('bulk: a refused job leaves nothing queued, listed or admitted', async () => {
    const w = world();
    const job = { ...bulkJob(), prepare: async () => Promise.reject(new UnavailableError('The render queue is unavailable, please retry')) };
    await expect(w.service.enqueueBulk('acct', [html('1'), html('2')], job)).rejects.toThrow('unavailable');
    expect(w.records.size + w.listed.size + w.jobs.size + w.tickets.get('bulk')!.size).toBe(0);
  });
});
