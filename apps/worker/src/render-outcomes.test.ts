// RenderOutcomes against fakes: the one place that settles a render, for every lane.
import type { CallbackJobData, RecordedOutcome, RenderJobData } from '@pixelfarm/queue';
import { RenderOutcomes } from './render-outcomes';

function world(recorded: Partial<RecordedOutcome> | null = null) {
  const calls: string[] = [];
  const callbacks: Array<{ data: CallbackJobData; jobId?: string }> = [];
  const records = new Map([['img-1', { id: 'img-1', created_at: '2026-01-01T00:00:00.000Z' }]]);
  const listed = new Set(['img-1']);
  const outcomes = new RenderOutcomes({
    callbacks: {
      enqueue: async (data, jobId) => void callbacks.push({ data, jobId }),
      enqueueBatchDone: async (account, url, body) => void callbacks.push({ data: { account, url, body: JSON.stringify(body), kind: 'batch' } }),
    },
    progress: {
      record: async (batch, index, outcome, error) => {
        calls.push(`progress ${batch} ${index} ${outcome} ${error ?? ''}`.trim());
        return recorded && ({ total: 2, done: 1, failed: 1, changed: true, finished: false, account: 'acct', statusUrl: 'http://img.test/v1/batches/b-1', ...recorded } as RecordedOutcome);
      },
    },
    admission: { release: async (lane, ids) => void calls.push(`release ${lane} ${ids.join(',')}`) },
    usage: { recordOnce: async (account, run) => void calls.push(`usage ${account} ${run}`) },
    dedupe: { remember: async (account, hash, id, ttl) => void calls.push(`dedupe ${account} ${hash} ${id} ${ttl}`) },
    images: {
      getRecord: async <T>(id: string) => (records.get(id) ?? null) as T | null,
      deleteImage: async (id) => void records.delete(id),
    },
    index: { remove: async (_account, _created, id) => void listed.delete(id) },
  });
  return { outcomes, calls, callbacks, records, listed };
}

const job = (extra: Partial<RenderJobData> = {}): RenderJobData => ({ id: 'img-1', account: 'acct', request: { html: '<p>x</p>' }, ...extra });

describe('RenderOutcomes', () => {
  it('settles a stored image: usage once per run, dedupe, the ticket, and the callback under an idempotent job id', async () => {
    const w = world();
    await w.outcomes.stored(
      job({ settle: { lane: 'interactive', dedupe: { hash: 'h1', ttlS: 60 } }, notify: { imageUrl: 'http://img.test/v1/image/img-1', callbackUrl: 'https://hooks.example/a' } }),
      'img-1@1700000000000',
    );
    expect(w.calls.sort()).toEqual(['dedupe acct h1 img-1 60', 'release interactive img-1', 'usage acct img-1@1700000000000']);
    expect(w.callbacks).toEqual([
      {
        data: { account: 'acct', url: 'https://hooks.example/a', kind: 'image', body: JSON.stringify({ id: 'img-1', url: 'http://img.test/v1/image/img-1', status: 'done' }) },
        jobId: expect.stringContaining('img-1'),
      },
    ]);
  });

  it('does nothing for a job without a settlement or a notification (a PDF of a stored image)', async () => {
    const w = world();
    await w.outcomes.stored(job(), 'r');
    await w.outcomes.failed(job(), { kind: 'input', message: 'bad' });
    expect(w.calls).toEqual([]);
    expect(w.records.size + w.listed.size).toBe(2);
  });

  it('forgets the record and listing of an input failure and releases the ticket', async () => {
    const w = world();
    await w.outcomes.failed(job({ settle: { lane: 'interactive' } }), { kind: 'input', message: 'No visible element matches the selector #x' });
    expect(w.records.size + w.listed.size).toBe(0);
    expect(w.calls).toEqual(['release interactive img-1']);
  });

  it('keeps the record of an internal failure and reports it without details', async () => {
    const w = world();
    await w.outcomes.failed(
      job({ settle: { lane: 'bulk' }, notify: { imageUrl: 'u', callbackUrl: 'https://hooks.example/f' } }),
      { kind: 'internal', message: 'socket hang up' },
    );
    expect(w.records.size + w.listed.size).toBe(2);
    expect(JSON.parse(w.callbacks[0]!.data.body)).toEqual({ id: 'img-1', url: 'u', status: 'failed', error: 'The render failed' });
  });

  it('counts a bulk item in its batch and calls the batch back when it was the last one', async () => {
    const w = world({ finished: true, callbackUrl: 'https://hooks.example/batch' });
    await w.outcomes.failed(job({ settle: { lane: 'bulk' }, notify: { imageUrl: 'u', batch: { id: 'b-1', index: 1 } } }), { kind: 'input', message: 'bad html' });
    expect(w.calls).toEqual(['release bulk img-1', 'progress b-1 1 failed bad html']);
    expect(w.callbacks.map((c) => [c.data.kind, c.data.url, JSON.parse(c.data.body)])).toEqual([
      ['batch', 'https://hooks.example/batch', { batch_id: 'b-1', total: 2, done: 1, failed: 1, status_url: 'http://img.test/v1/batches/b-1' }],
    ]);
  });

  it("says where the storage destination copy went: stored in the callback, a failed write in the callback and the batch item", async () => {
    const w = world({});
    const notify = { imageUrl: 'u', callbackUrl: 'https://hooks.example/d', batch: { id: 'b-1', index: 0 } };
    await w.outcomes.stored(job({ settle: { lane: 'bulk' }, notify }), 'r1', { status: 'stored', target: 'storage_destination', bucket: 'theirs', key: 'renders/img-1.png' });
    await w.outcomes.stored(job({ settle: { lane: 'bulk' }, notify }), 'r2', { status: 'failed', target: 'storage_destination', bucket: 'theirs', key: 'renders/img-1.png', error: 'The bucket refused the write' });
    expect(w.callbacks.map((c) => JSON.parse(c.data.body).storage_destination)).toEqual([
      { status: 'stored', bucket: 'theirs', key: 'renders/img-1.png' },
      { status: 'failed', bucket: 'theirs', key: 'renders/img-1.png', error: 'The bucket refused the write' },
    ]);
    expect(w.calls.filter((c) => c.startsWith('progress'))).toEqual(['progress b-1 0 done', 'progress b-1 0 done The bucket refused the write']);
  });
});
