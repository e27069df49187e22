// ioredis options per role, following BullMQ's production guidance:
// producers fail fast while Redis is down; blocking consumers retry forever.
import type { RedisOptions } from 'ioredis';

export type ConnectionRole = 'producer' | 'consumer';

export function redisOptions(url: string, role: ConnectionRole): RedisOptions {
  const u = new URL(url);
  const auth = {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
  // unix:///run/redis.sock?db=2: a Redis beside the process (a sidecar, or one shared across
  // network namespaces, which a socket file crosses and a TCP port does not).
  const base: RedisOptions =
    u.protocol === 'unix:'
      ? { ...auth, path: decodeURIComponent(u.pathname), db: Number(u.searchParams.get('db') ?? 0) }
      : {
          ...auth,
          host: u.hostname.replace(/^\[|\]$/g, ''),
          port: u.port ? Number(u.port) : 6379,
          db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
          tls: u.protocol === 'rediss:' ? {} : undefined,
        };
  return role === 'producer'
    ? { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
    : { ...base, maxRetriesPerRequest: null };
}

/**
 * Whether an error means Redis could not be reached or could not answer now (down, restarting,
 * still loading its data set, or the offline queue refused the command): the request may be
 * retried, so it is a 503, never a 500. ioredis reports these with names, codes or messages only.
 */
export function isRedisUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'NR_CLOSED'].includes(e.code)) return true;
  const message = e.message ?? '';
  return (
    message.includes("Stream isn't writeable and enableOfflineQueue options is false") ||
    message === 'Connection is closed.' ||
    /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN) /.test(message)
  );
}
