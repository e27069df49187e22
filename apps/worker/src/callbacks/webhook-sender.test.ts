// The webhook sender connects to the address the guard checked, never resolving again, and
// refuses what the guard refuses without opening a connection. Receivers listen on loopback;
// DNS is played by the guard's injected lookup.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetworkGuard } from '@pixelfarm/renderer';
import { CallbackRefusedError } from '@pixelfarm/queue';
import { WebhookSender } from './webhook-sender';

describe('WebhookSender', () => {
  const seen: { host?: string; body: string; signature?: string }[] = [];
  let status = 204;
  let port = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ host: req.headers.host, body, signature: req.headers['x-signature'] as string | undefined });
      res.writeHead(status, status === 302 ? { Location: 'http://127.0.0.1/elsewhere' } : {}).end();
    });
  });
  const dns: Record<string, string[]> = {
    'hooks.test': ['127.0.0.1'],
    'mixed.test': ['127.0.0.1', '10.0.0.1'],
    'private.test': ['127.0.0.2'],
  };
  const guard = new NetworkGuard(['127.0.0.1'], async (host) => {
    const answer = dns[host];
    if (!answer) throw new Error('NXDOMAIN');
    return answer;
  });
  const sender = new WebhookSender({ guard, timeoutMs: 2000 });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    status = 204;
  });

  it('posts to the checked address of a name, with the name as Host and the given headers', async () => {
    expect(await sender.post(`http://hooks.test:${port}/cb?x=1`, '{"a":1}', { 'X-Signature': 'sha256=ab' })).toBe(204);
    expect(seen).toEqual([{ host: `hooks.test:${port}`, body: '{"a":1}', signature: 'sha256=ab' }]);
  });

  it('refuses names with any private answer, unknown names and private literals, without connecting', async () => {
    for (const url of [`http://mixed.test:${port}/`, `http://private.test:${port}/`, `http://nowhere.test:${port}/`, `http://127.0.0.2:${port}/`, `http://[::1]:${port}/`, `http://169.254.169.254/`]) {
      await expect(sender.post(url, '{}', {})).rejects.toBeInstanceOf(CallbackRefusedError);
    }
    await expect(sender.post('ftp://127.0.0.1/', '{}', {})).rejects.toBeInstanceOf(CallbackRefusedError);
    expect(seen).toEqual([]);
  });

  it('does not follow redirects: the 3xx is the answer', async () => {
    status = 302;
    expect(await sender.post(`http://127.0.0.1:${port}/`, '{}', {})).toBe(302);
    expect(seen).toHaveLength(1);
  });

  it('gives up after its timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const quick = new WebhookSender({ guard, timeoutMs: 200 });
    await expect(quick.post(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, '{}', {})).rejects.toThrow(/did not answer within 200 ms/);
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
