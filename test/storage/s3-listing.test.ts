// The S3 driver lists with ListObjectsV2 and follows its continuation tokens past one page. A
// recording proxy between the driver and s3rver shows what was asked on the wire; the pages
// past the first need the test server's DES tokens, which only work because s3rver runs in its
// own process with the legacy OpenSSL provider (test/support/s3-server.ts).
import http from 'node:http';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3Driver } from '@pixelfarm/storage';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { startS3Server, type TestS3Server } from '../support/s3-server';

describe('S3 listing', () => {
  let s3: TestS3Server;
  let proxy: LoopbackServer;
  let driver: S3Driver;
  const seen: URL[] = [];
  // 1,001 keys: one more than S3's largest page, so a full listing takes two requests.
  const keys = Array.from({ length: 1001 }, (_, i) => `many/k${String(i).padStart(4, '0')}.json`);

  beforeAll(async () => {
    s3 = await startS3Server();
    const target = new URL(s3.endpoint);
    // Forwards every request unchanged (the SigV4 signature covers the Host header it keeps).
    proxy = await serveOnLoopback((req, res) => {
      seen.push(new URL(req.url!, 'http://proxy'));
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    driver = new S3Driver({
      endpoint: proxy.origin,
      region: 'us-east-1',
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      maxAttempts: 3,
    });
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => driver.put(key, Buffer.from('{}'), 'application/json')));
    }
  });

  afterAll(async () => {
    await driver?.close();
    await proxy?.close();
    await s3?.stop();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const listRequests = () => seen.filter((url) => url.searchParams.has('list-type') || url.searchParams.has('prefix'));

  it('lists every key across pages with ListObjectsV2 and its continuation token', async () => {
    expect(await driver.list('many/')).toEqual(keys);
    const asked = listRequests();
    expect(asked.map((url) => url.searchParams.get('list-type'))).toEqual(['2', '2']);
    expect(asked[0]!.searchParams.has('continuation-token')).toBe(false);
    expect(asked[1]!.searchParams.get('continuation-token')).toEqual(expect.any(String));
  });

  it('starts after a key and stops once it has the page asked for', async () => {
    expect(await driver.list('many/', { startAfter: keys[997], limit: 2 })).toEqual(keys.slice(998, 1000));
    const asked = listRequests();
    expect(asked).toHaveLength(1);
    expect(Object.fromEntries(asked[0]!.searchParams)).toMatchObject({ 'list-type': '2', 'start-after': keys[997], 'max-keys': '2', prefix: 'many/' });
  });

  it('gets continuation tokens from the test server that it can read back (the DES cipher works there)', async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 3,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    try {
      const first = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'many/', MaxKeys: 2 }));
      expect(first.IsTruncated).toBe(true);
      const second = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'many/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }),
      );
      expect(second.Contents!.map((o) => o.Key)).toEqual(keys.slice(2, 4));
    } finally {
      client.destroy();
    }
  });
});
