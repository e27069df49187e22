// One behaviour suite, run against both storage drivers: the filesystem and a real S3 server.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsDriver, ImageStore, S3Driver, type StorageDriver } from '@pixelfarm/storage';
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
