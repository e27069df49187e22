// The egress policy of storage destinations: the endpoint's shape (hcti's rule for custom
// endpoints), http only to allow-listed hosts, and agents that connect only to the address the
// guard checked, whatever DNS answers next (rebinding). Traffic stays on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetworkGuard } from '@pixelfarm/egress';
import { DestinationEgress, EgressRefusedError, endpointShapeProblem } from './destination-egress';

describe('endpointShapeProblem', () => {
  it.each(['https://s3.example.com', 'https://s3.example.com/', 'https://s3.example.com:8443', 'http://127.0.0.1:9000', 'https://[2606:4700::1]'])('accepts the origin %s', (url) => {
    expect(endpointShapeProblem(url)).toBeNull();
  });

  it.each([
    ['s3.example.com', 'endpoint must be a URL such as https://s3.example.com'],
    ['ftp://s3.example.com', 'endpoint must be an https:// URL'],
    ['file:///etc/passwd', 'endpoint must be an https:// URL'],
    ['https://key:secret@s3.example.com', 'endpoint must not hold credentials: send them in access_key_id and secret_access_key'],
    ['https://s3.example.com/bucket', 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
    ['https://s3.example.com/?x=1', 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
    ['https://s3.example.com?', 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
    ['https://s3.example.com#', 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
  ])('refuses %s', (url, message) => {
    expect(endpointShapeProblem(url)).toBe(message);
  });
});

describe('DestinationEgress', () => {
  it('allows http only to a host URL_ALLOWLIST opens, without asking DNS', () => {
    const egress = new DestinationEgress(
      new NetworkGuard(['127.0.0.1', 'store.internal'], async () => {
        throw new Error('no DNS here');
      }),
    );
    expect(egress.endpointProblem(null)).toBeNull();
    expect(egress.endpointProblem('http://127.0.0.1:9000')).toBeNull();
    expect(egress.endpointProblem('http://store.internal')).toBeNull();
    expect(egress.endpointProblem('http://s3.example.com')).toBe('endpoint must use https (http is allowed only for a host URL_ALLOWLIST opens)');
    expect(egress.endpointProblem('https://s3.example.com')).toBeNull();
  });

  it('refuses a host that resolves to a private address, or to a mix of public and private ones', async () => {
    const dns: Record<string, string[]> = { 'private.example': ['10.0.0.7'], 'mixed.example': ['93.184.215.14', '169.254.169.254'] };
    const egress = new DestinationEgress(new NetworkGuard([], async (host) => dns[host] ?? []));
    for (const host of ['private.example', 'mixed.example', '127.0.0.1', '[::1]', 'nowhere.example']) {
      await expect(egress.checkHost(host)).rejects.toThrow(EgressRefusedError);
    }
    await expect(egress.checkHost('10.0.0.7')).rejects.toThrow(
      'the endpoint host 10.0.0.7 is refused by the egress policy: it does not resolve, or resolves to a private, loopback or reserved address (URL_ALLOWLIST can open it)',
    );
  });

  describe('agents', () => {
    let server: http.Server;
    let port: number;
    let connections = 0;

    beforeAll(async () => {
      server = http.createServer((_req, res) => res.end('ok'));
      server.on('connection', () => (connections += 1));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const get = (agent: http.Agent, host: string) =>
      new Promise<string>((resolve, reject) => {
        http
          .get({ host, port, path: '/', agent, headers: { connection: 'close' } }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });

    it('connect to the address the guard checked, and refuse a rebound answer before connecting', async () => {
      // The store's name answers loopback (opened by URL_ALLOWLIST) first, then a private address.
      const answers = [['127.0.0.1'], ['10.0.0.9']];
      const egress = new DestinationEgress(new NetworkGuard(['127.0.0.1'], async () => answers.shift() ?? []));
      const { httpAgent } = egress.agents();
      expect(await get(httpAgent, 'store.rebind.test')).toBe('ok');
      const before = connections;
      await expect(get(httpAgent, 'store.rebind.test')).rejects.toThrow(EgressRefusedError);
      expect(connections).toBe(before);
      httpAgent.destroy();
    });
  });
});
