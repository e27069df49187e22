// The only way callbacks leave the worker: one POST to a client's callback_url under the same
// egress rules as page loads. The host is resolved once and checked with the renderer's
// NetworkGuard (private, loopback and link-local addresses refused unless URL_ALLOWLIST names
// them), and the connection goes to that checked address through a pinned `lookup`, so a DNS
// answer that changes between check and connect (rebinding) cannot redirect it. Redirects are
// not followed: a 3xx is a failed delivery like any other non-2xx answer.
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { NetworkGuard } from '@pixelfarm/renderer';
import { CallbackRefusedError } from '@pixelfarm/queue';

export interface WebhookSenderOptions {
  guard: Pick<NetworkGuard, 'resolve'>;
  /** Budget of one delivery: connect, send, and read the answer. */
  timeoutMs: number;
}

const USER_AGENT = 'pixelfarm-callback/1';
/** Bytes of the receiver's answer read (and thrown away) before the socket is closed. */
const MAX_ANSWER_BYTES = 64 * 1024;

export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  /** POSTs the body; resolves with the answer's status code. Refused targets throw CallbackRefusedError. */
  async post(rawUrl: string, body: string, headers: Record<string, string>): Promise<number> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new CallbackRefusedError('callback_url is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CallbackRefusedError('callback_url must be http or https');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const address = await this.options.guard.resolve(host);
    if (!address) throw new CallbackRefusedError(`callback_url host ${host} is not allowed by the egress policy`);
    return this.send(url, host, address, body, headers);
  }

  private send(url: URL, host: string, address: string, body: string, headers: Record<string, string>): Promise<number> {
    const family = isIP(address);
    // Node asks for every address (`all`) when it races IPv4 and IPv6; both shapes answer the checked one.
    const pinned = ((_name: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (opts?.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    }) as unknown as LookupFunction;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<number>((resolve, reject) => {
      const req = transport.request(
        {
          protocol: url.protocol,
          hostname: host,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
          // Literal addresses skip the lookup; they were checked as they are.
          lookup: pinned,
          // A fresh connection per delivery: a pooled socket could lead to an address checked for another URL.
          agent: false,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(body)),
            'User-Agent': USER_AGENT,
            ...headers,
          },
        },
        (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) res.destroy();
          });
          res.on('close', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(res.statusCode ?? 0));
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`callback_url did not answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }
}
