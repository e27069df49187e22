// The KEDA redis triggers count what BullMQ really stores (scale on waiting plus
// active plus prioritized work). Renders of both lanes are queued through the API's RenderQueue
// into a real Redis under the prefix the overlay configures (made unique for the run), a BullMQ
// worker takes one, and every redis trigger of the built overlay has its key counted the way
// KEDA's redis scaler counts it: the key's TYPE picks LLEN for a list, ZCARD for a sorted set,
// SCARD for a set, HLEN for a hash, and an absent key counts 0. Their sum, the ScaledObject's
// formula, is every render not finished, as the API's own queue counts (what the Prometheus
// trigger reads) say too.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { RENDER_QUEUE, RenderQueue, type RenderJobData } from '@pixelfarm/queue';
import { ROOT } from './support/app-facts';
import { find, kustomize } from './support/kustomize';

type Trigger = { type: string; name: string; metadata: Record<string, string> };
type ScaledObject = { spec: { triggers: Trigger[]; advanced: { scalingModifiers: { formula: string } } } };

/** A key's length as KEDA's redis scaler measures it. */
async function scalerCount(redis: IORedis, key: string): Promise<number> {
  const command: Record<string, (k: string) => Promise<number>> = {
    list: (k) => redis.llen(k),
    zset: (k) => redis.zcard(k),
    set: (k) => redis.scard(k),
    hash: (k) => redis.hlen(k),
    none: async () => 0,
  };
  const type = await redis.type(key);
  if (!command[type]) throw new Error(`the redis scaler cannot count ${key}, a ${type}`);
  return command[type]!(key);
}

describe.each(['dev', 'prod'] as const)('k8s %s: the KEDA redis triggers, against BullMQ on a real Redis', (overlay) => {
  const { manifests } = kustomize(path.join(ROOT, 'k8s', 'overlays', overlay));
  const scaled = find(manifests, 'ScaledObject', 'pixelfarm-worker') as unknown as ScaledObject;
  const triggers = scaled.spec.triggers.filter((t) => t.type === 'redis');
  const configured = (find(manifests, 'ConfigMap', 'pixelfarm-config') as unknown as { data: Record<string, string> }).data.REDIS_PREFIX!;
  const prefix = `test-${randomUUID()}`;
  const redisUrl = process.env.TEST_REDIS_URL!;
  let redis: IORedis;
  let queue: RenderQueue;
  let worker: Worker | undefined;
  let workerConnection: IORedis | undefined;

  beforeAll(async () => {
    redis = new IORedis(redisUrl);
    queue = new RenderQueue({ redisUrl, prefix, attempts: 1, backoffMs: 500 });
    await queue.ready();
  });
  afterAll(async () => {
    await worker?.close(true);
    await workerConnection?.quit();
    await queue?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('count every queued and running render of both lanes, as the API does', async () => {
    // The triggers read this deployment's keys: the configured prefix and the render queue.
    for (const t of triggers) expect(t.metadata.listName!.startsWith(`${configured}:${RENDER_QUEUE}:`)).toBe(true);
    const job = (n: number): RenderJobData => ({ id: `img-${n}-${randomUUID()}`, account: 'acct', request: { html: `<p>${n}</p>` } });
    for (const n of [1, 2, 3]) await queue.enqueue(job(n), 'interactive');
    await queue.enqueueMany([4, 5, 6, 7, 8].map(job), 'bulk');
    // A worker takes the next job (an interactive one: the wait list drains first) and holds it.
    workerConnection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    worker = new Worker(RENDER_QUEUE, null, { connection: workerConnection, prefix, autorun: false });
    expect(await worker.getNextJob(randomUUID())).toBeDefined();

    const counts = Object.fromEntries(
      await Promise.all(triggers.map(async (t) => [t.name, await scalerCount(redis, `${prefix}${t.metadata.listName!.slice(configured.length)}`)] as const)),
    );
    expect(counts).toEqual({ waiting: 2, prioritized: 5, active: 1 });
    // The formula adds exactly the redis triggers (with Prometheus, the larger of that and the backlog).
    const formula = scaled.spec.advanced.scalingModifiers.formula;
    const sum = triggers.map((t) => t.name).join(' + ');
    expect(formula === sum || formula === `max(${sum}, backlog)`).toBe(true);
    const api = await queue.counts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(api.waiting + api.prioritized + api.active);
    expect(api.waiting + api.prioritized + api.active).toBe(8);
  });
});
