// One behaviour suite, run against both storage drivers: the filesystem and a real S3 server.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AccountImageIndex, FsDriver, ImageStore, S3Driver, TemplateStore, type StorageDriver } from '@pixelfarm/storage';
import { ValidationError } from '@pixelfarm/errors';
import { startS3Server, type TestS3Server } from '../support/s3-server';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

type Factory = { name: string; create(): Promise<{ driver: StorageDriver; cleanup(): Promise<void> }> };

const drivers: Factory[] = [
  {
    name: 'fs',
    async create() {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fsdriver-'));
      return { driver: new FsDriver(dir), cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    async create() {
      const server: TestS3Server = await startS3Server();
      const driver = new S3Driver({
        endpoint: server.endpoint,
        region: 'us-east-1',
        bucket: server.bucket,
        accessKeyId: server.accessKeyId,
        secretAccessKey: server.secretAccessKey,
        forcePathStyle: true,
        maxAttempts: 3,
      });
      return { driver, cleanup: () => driver.close().then(() => server.stop()) };
    },
  },
];

describe.each(drivers)('$name storage driver', ({ create }) => {
  let driver: StorageDriver;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ driver, cleanup } = await create());
  });
  afterAll(() => cleanup());

  it('answers ping', async () => {
    await expect(driver.ping()).resolves.toBeUndefined();
  });

  it('round-trips bytes, streams them with size and type, and overwrites', async () => {
    const body = Buffer.from([0, 1, 2, 250, 255]);
    await driver.put('t/a/one.png', body, 'image/png');
    expect(await driver.get('t/a/one.png')).toEqual(body);
    const obj = await driver.stream('t/a/one.png');
    expect(obj).not.toBeNull();
    expect(obj!.size).toBe(5);
    expect(obj!.contentType).toBe('image/png');
    expect(await readAll(obj!.body)).toEqual(body);
    await driver.put('t/a/one.png', Buffer.from('new'), 'image/png');
    expect((await driver.get('t/a/one.png'))!.toString()).toBe('new');
  });

  it('returns null / false for missing objects and deletes idempotently', async () => {
    expect(await driver.get('t/missing.png')).toBeNull();
    expect(await driver.stream('t/missing.png')).toBeNull();
    expect(await driver.exists('t/missing.png')).toBe(false);
    await driver.put('t/del.json', Buffer.from('{}'), 'application/json');
    expect(await driver.exists('t/del.json')).toBe(true);
    await driver.delete('t/del.json');
    await driver.delete('t/del.json');
    expect(await driver.exists('t/del.json')).toBe(false);
  });

  it('lists and deletes by prefix without touching neighbours', async () => {
    await driver.put('p/x/1.png', Buffer.from('1'), 'image/png');
    await driver.put('p/x/v/2.jpg', Buffer.from('2'), 'image/jpeg');
    await driver.put('p/xy/3.png', Buffer.from('3'), 'image/png');
    expect(await driver.list('p/x/')).toEqual(['p/x/1.png', 'p/x/v/2.jpg']);
    expect(await driver.deletePrefix('p/x/')).toBe(2);
    expect(await driver.list('p/x/')).toEqual([]);
    expect(await driver.list('p/')).toEqual(['p/xy/3.png']);
  });

  it('lists a page of keys after a given key, in lexical order', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `pg/k${i}.json`);
    // Written out of order: the listing order must come from the keys, not from write order.
    for (const k of [...keys].reverse()) await driver.put(k, Buffer.from(k), 'application/json');
    await driver.put('pgx/outside.json', Buffer.from('x'), 'application/json');
    expect(await driver.list('pg/', { limit: 3 })).toEqual(keys.slice(0, 3));
    expect(await driver.list('pg/', { startAfter: 'pg/k2.json', limit: 3 })).toEqual(keys.slice(3, 6));
    expect(await driver.list('pg/', { startAfter: 'pg/k5.json', limit: 3 })).toEqual(['pg/k6.json']);
    expect(await driver.list('pg/', { startAfter: 'pg/k6.json' })).toEqual([]);
    expect(await driver.list('pg/', { startAfter: 'pg/k3' })).toEqual(keys.slice(3));
    expect(await driver.list('pg/', { limit: 0 })).toEqual([]);
    expect(await driver.list('pg/')).toEqual(keys);
  });

  it('pages an account image index newest first, and removes entries', async () => {
    const index = new AccountImageIndex(driver);
    const ids = ['01a21072-64b5-74bb-b941-3932cd6aa3e1', '01a21072-64b5-74bb-b941-3932cd6aa3e2', '01a21072-64b5-74bb-b941-3932cd6aa3e3'];
    const times = ['2024-01-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'];
    for (let i = 0; i < 3; i++) await index.add('acc', { id: ids[i]!, created_at: times[i]!, ext: '', metadata: { n: i } });
    await index.add('acc2', { id: ids[0]!, created_at: times[0]!, ext: '' });
    const first = await index.page('acc', 2);
    expect(first.entries.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(first.entries[0]!.metadata).toEqual({ n: 2 });
    expect(index.ownsKey('acc', first.nextAfter!)).toBe(true);
    expect(index.ownsKey('acc2', first.nextAfter!)).toBe(false);
    const second = await index.page('acc', 2, first.nextAfter);
    expect(second.entries.map((e) => e.id)).toEqual([ids[0]]);
    expect(second.nextAfter).toBeUndefined();
    await index.remove('acc', times[1]!, ids[1]!);
    expect((await index.page('acc', 10)).entries.map((e) => e.id)).toEqual([ids[2], ids[0]]);
  });

  it('keeps every template version and finds the latest per template', async () => {
    const templates = new TemplateStore(driver);
    const base = { account: 'acc', name: null, description: null, css: null, options: {}, created_at: '2024-01-01T00:00:00.000Z' };
    await templates.save({ ...base, template_id: 't-a', version: 1700000000000, html: 'a1', updated_at: base.created_at });
    await templates.save({ ...base, template_id: 't-a', version: 1700000000500, html: 'a2', updated_at: base.created_at });
    await templates.save({ ...base, template_id: 't-b', version: 1700000000100, html: 'b1', updated_at: base.created_at });
    expect(await templates.versions('acc', 't-a')).toEqual([1700000000000, 1700000000500]);
    expect((await templates.latest('acc', 't-a'))!.html).toBe('a2');
    expect((await templates.get('acc', 't-a', 1700000000000))!.html).toBe('a1');
    expect(await templates.get('acc', 't-a', 42)).toBeNull();
    expect(await templates.latest('other', 't-a')).toBeNull();
    expect((await templates.listLatest('acc')).map((t) => t.html)).toEqual(['a2', 'b1']);
  });

  it('refuses keys that could escape the store', async () => {
    for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b', 'sp ace']) {
      await expect(driver.put(key, Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
      await expect(driver.get(key)).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('keeps an image, its request and variants under one prefix that deletes together', async () => {
    const images = new ImageStore(driver);
    const id = '01a21072-64b5-74bb-b941-3932cd6aa3e0';
    await images.saveRecord({ id, account: 'acc', created_at: new Date().toISOString(), request: { html: '<p>x</p>' } });
    await images.saveOriginal(id, Buffer.from('png'));
    await driver.put(`images/${id}/variants/10x10.jpg`, Buffer.from('jpg'), 'image/jpeg');
    expect((await images.getRecord(id))!.request).toEqual({ html: '<p>x</p>' });
    expect(await images.hasOriginal(id)).toBe(true);
    await images.deleteImage(id);
    expect(await images.getRecord(id)).toBeNull();
    expect(await driver.list(`images/${id}/`)).toEqual([]);
  });
});
