// What an earlier run of a job wrote to the image's storage destination, as a re-run finds it:
// the outcome remembered in our own store (a real filesystem store), and the object read back
// from the destination when the image is kept nowhere else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DestinationWrites, type DestinationTarget } from '@pixelfarm/destinations';
import { FsDriver } from '@pixelfarm/storage';
import type { RenderJobData } from '@pixelfarm/queue';
import { DestinationCopies } from './destination-copies';

describe('DestinationCopies.earlierBase', () => {
  let dir: string;
  let bucket: Map<string, Buffer>;
  let failing: boolean;
  let copies: DestinationCopies;
  const data = { id: 'img1', account: 'acme', request: { html: 'x' }, destination: { id: 'sd', keep_copy: false } } as RenderJobData & { destination: { id: string; keep_copy: boolean } };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copies-'));
    bucket = new Map();
    failing = false;
    const target: DestinationTarget = {
      id: 'sd',
      bucket: 'renders',
      key: (name) => `out/${name}`,
      put: async (key, body) => {
        if (failing) throw new Error('refused');
        bucket.set(key, body);
      },
      get: async (key) => bucket.get(key) ?? null,
    };
    const storage = new FsDriver(dir);
    copies = new DestinationCopies({
      writes: new DestinationWrites({ directory: { open: async () => target }, storage }),
      images: { getRecord: async () => null },
      index: { setDestination: async () => false, remove: async () => undefined },
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is null before any write, and after a failed one', async () => {
    expect(await copies.earlierBase(data, 'png', true)).toBeNull();
    failing = true;
    expect((await copies.writeBase(data, 'png', Buffer.from('png')))).toMatchObject({ status: 'failed' });
    expect(await copies.earlierBase(data, 'png', false)).toBeNull();
  });

  it('finds a stored write, with the object read back when asked; gone from the bucket, it is not found', async () => {
    await copies.writeBase(data, 'pdf', Buffer.from('%PDF'));
    const stored = { status: 'stored', target: 'storage_destination', bucket: 'renders', key: 'out/img1.pdf' };
    expect(await copies.earlierBase(data, 'pdf', false)).toEqual({ result: stored });
    expect(await copies.earlierBase(data, 'pdf', true)).toEqual({ result: stored, body: Buffer.from('%PDF') });
    bucket.clear();
    expect(await copies.earlierBase(data, 'pdf', true)).toBeNull();
  });
});
