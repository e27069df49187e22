// The client against a scripted loopback server: which answers are retried, which are final.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PixelfarmClient, withExtension } from './http-client';
import { AbortedError, FatalError, RequestError } from './errors';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

let server: http.Server;
let base: string;
let handler: Handler;
let count = 0;
let lastBody = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      lastBody = Buffer.concat(chunks).toString('utf8');
      handler(req, res, ++count);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
beforeEach(() => (count = 0));

const client = (over: { retries?: number; timeoutMs?: number; server?: string } = {}) =>
  new PixelfarmClient({
    connection: { server: over.server ?? base, userId: 'u', apiKey: 'k' },
    retries: over.retries ?? 3,
    timeoutMs: over.timeoutMs ?? 2000,
    backoff: { baseMs: 1, maxMs: 5 },
  });
const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const signal = () => new AbortController().signal;

describe('PixelfarmClient', () => {
  it('sends Basic credentials and JSON, and returns id and url', async () => {
    let seen: http.IncomingHttpHeaders = {};
    handler = (req, res) => {
      seen = req.headers;
      json(res, 200, { id: 'abc', url: `${base}/v1/image/abc` });
    };
    const created = await client().createImage({ html: 'x' }, signal());
    expect(created).toEqual({ id: 'abc', url: `${base}/v1/image/abc` });
    expect(seen.authorization).toBe(`Basic ${Buffer.from('u:k').toString('base64')}`);
    expect(seen['content-type']).toMatch(/^application\/json\b/);
    expect(JSON.parse(lastBody)).toEqual({ html: 'x' });
  });

  it('retries a timeout and a 200 that is not JSON, then succeeds', async () => {
    handler = (_req, res, n) => {
      // Late by far more than the client waits; the waits leave room for a loaded machine, where
      // 150 ms was once too short for the answer that succeeds.
      if (n === 1) return void setTimeout(() => json(res, 200, { id: 'late', url: 'x' }), 2500);
      if (n === 2) return void res.end('<html>gateway</html>');
      json(res, 200, { id: 'ok', url: `${base}/v1/image/ok` });
    };
    await expect(client({ timeoutMs: 800 }).createImage({ html: 'x' }, signal())).resolves.toMatchObject({ id: 'ok' });
    expect(count).toBe(3);
  });

  it('fails a 4xx at once with the API message, and stops everything on 401', async () => {
    handler = (_req, res) => json(res, 422, { error: 'Unprocessable Entity', statusCode: 422, message: 'Sorry, we do not currently support that format.' });
    await expect(client().createImage({ html: 'x' }, signal())).rejects.toThrow(new RequestError('HTTP 422: Sorry, we do not currently support that format.'));
    expect(count).toBe(1);
    handler = (_req, res) => json(res, 401, { error: 'Unauthorized', statusCode: 401, message: 'Bad credentials' });
    await expect(client().createImage({ html: 'x' }, signal())).rejects.toBeInstanceOf(FatalError);
  });

  it('gives up on a refused connection after the retries, naming the cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(client({ retries: 2, server: `http://127.0.0.1:${port}` }).createImage({ html: 'x' }, signal())).rejects.toThrow(
      /^network error: ECONNREFUSED: .* \(gave up after 3 attempts\)$/,
    );
  });

  it('stops waiting when the run is interrupted', async () => {
    handler = (_req, res) => json(res, 503, { message: 'busy' });
    const ctl = new AbortController();
    const c = new PixelfarmClient({ connection: { server: base, userId: 'u', apiKey: 'k' }, retries: 5, timeoutMs: 1000, backoff: { baseMs: 10_000 } });
    const p = c.createImage({ html: 'x' }, ctl.signal);
    setTimeout(() => ctl.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(AbortedError);
  });

  it('downloads the image in the asked format and refuses what is not an image', async () => {
    handler = (req, res) => {
      if (req.url === '/v1/image/abc.webp') {
        res.writeHead(200, { 'content-type': 'image/webp' });
        return void res.end(Buffer.from('RIFF'));
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<p>login</p>');
    };
    await expect(client().download(`${base}/v1/image/abc.jpg`, 'webp', signal())).resolves.toEqual(Buffer.from('RIFF'));
    await expect(client().download(`${base}/v1/image/other`, 'png', signal())).rejects.toThrow(/answered text\/html, not an image: <p>login<\/p>/);
  });
});

it('withExtension puts the format on the image URL, replacing any extension', () => {
  expect(withExtension('http://h:8080/v1/image/abc', 'png')).toBe('http://h:8080/v1/image/abc.png');
  expect(withExtension('http://h/v1/image/abc.jpg', 'webp')).toBe('http://h/v1/image/abc.webp');
  expect(withExtension('https://cdn.example/base/v1/image/abc.pdf?x=1', 'jpg')).toBe('https://cdn.example/base/v1/image/abc.jpg?x=1');
});
