// The worker's hooks on real parts: the egress proxy refusing a page's CONNECT (to an address a
// stub resolver gives, never connected to), counted in a real registry and logged; and the slot
// governor's failed poll reaching the log.
import http from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@pixelfarm/config';
import { createEgressMetrics, createRegistry } from '@pixelfarm/metrics';
import { EgressProxy, NetworkGuard } from '@pixelfarm/renderer';
import { SlotGovernor } from './slot-governor';
import { reportDemandPollError, reportEgressRefusal } from './worker-hooks';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('worker', 'info', { destination }), lines };
}

/** Sends CONNECT host:443 through the proxy; resolves with the status it answers. */
function connectThrough(proxyUrl: string, target: string): Promise<number> {
  const { port } = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), method: 'CONNECT', path: target });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('worker hooks', () => {
  it('counts refused egress by reason in pixelfarm_egress_refused_total and logs it', async () => {
    const registry = createRegistry('worker');
    const { logger, lines } = capturedLogger();
    const answers: Record<string, string[]> = { 'intranet.example': ['10.1.2.3'], 'nowhere.example': [] };
    const guard = new NetworkGuard([], async (host) => answers[host] ?? []);
    const proxy = new EgressProxy({ guard, onBlocked: reportEgressRefusal(createEgressMetrics(registry), logger), connectTimeoutMs: 10_000 });
    const url = await proxy.start();
    try {
      expect(await connectThrough(url, 'intranet.example:443')).toBe(403);
      expect(await connectThrough(url, 'intranet.example:443')).toBe(403);
      expect(await connectThrough(url, 'nowhere.example:443')).toBe(403);
    } finally {
      await proxy.close();
    }
    const counted = (await registry.getSingleMetric('pixelfarm_egress_refused_total')!.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(counted.sort()).toEqual([
      ['not_public', 2],
      ['unresolved', 1],
    ]);
    expect(lines.filter((l) => l.msg === 'egress refused').map((l) => [l.host, l.reason])).toEqual([
      ['intranet.example', 'not_public'],
      ['intranet.example', 'not_public'],
      ['nowhere.example', 'unresolved'],
    ]);
  });

  it('logs a failed poll of the waiting interactive renders', async () => {
    const { logger, lines } = capturedLogger();
    const worker = { concurrency: 0, on: () => undefined };
    const governor = new SlotGovernor({
      worker,
      base: 1,
      max: 2,
      waiting: () => Promise.reject(new Error('Connection is closed.')),
      everyMs: 10,
      onError: reportDemandPollError(logger),
    });
    governor.start();
    try {
      for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      governor.stop();
    }
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'interactive demand poll failed; slots unchanged', error: 'Connection is closed.' });
    expect(worker.concurrency).toBe(1);
  });
});
