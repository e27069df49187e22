// A loopback HTTP proxy in front of the API for CLI tests: records every request (what the
// server was actually asked), and can answer some itself (503s, 429 with Retry-After) before
// passing the rest through, as a struggling server or load balancer would.
import http from 'node:http';
import { serveOnLoopback } from '../support/loopback-server';

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
  /** Free-form label the test sets (e.g. which run of the CLI). */
  tag: string;
  at: number;
  /** Status the proxy answered itself, or undefined when passed to the API. */
  injected?: number;
}

export interface InjectedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  tag: string;
  /** Decides per request whether the proxy answers instead of the API. */
  intercept?: (req: RecordedRequest) => InjectedAnswer | undefined;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const proxy: RecordingProxy = { url: '', requests: [], tag: '', close: async () => undefined };
  const server = await serveOnLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8'), tag: proxy.tag, at: Date.now() };
      proxy.requests.push(rec);
      const answer = proxy.intercept?.(rec);
      if (answer) {
        rec.injected = answer.status;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? JSON.stringify({ error: http.STATUS_CODES[answer.status], statusCode: answer.status, message: 'injected by the test proxy' }));
        return;
      }
      const headers = { ...req.headers, host: target.host };
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      // The CLI may be SIGKILLed mid-request: its socket goes away, the API's answer has nowhere to go.
      up.on('error', () => res.destroy());
      res.on('error', () => undefined);
      up.end(body);
    });
  });
  proxy.url = server.origin;
  proxy.close = () => {
    agent.destroy();
    return server.close();
  };
  return proxy;
}
