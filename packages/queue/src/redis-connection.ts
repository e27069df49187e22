// Redis clients from REDIS_URL (see redis-url.ts for the schemes): one server, a primary found
// through Sentinel, or a Redis Cluster, each through ioredis' own client for it. Options per
// role follow BullMQ's production guidance: producers fail fast while Redis is down; blocking
// consumers retry forever.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisTopology } from './redis-url';

export type ConnectionRole = 'producer' | 'consumer';

/** A client of any topology: the commands are the same; under Cluster, keys must share a slot. */
export type RedisClient = Redis | Cluster;

/**
 * Reconnection delay: 100 ms, 200 ms, … up to 1 s. A failover (a Sentinel promoting the replica,
 * a Cluster replica taking over) is noticed within a second of its end, not two; reconnection
 * attempts to a down server cost it nothing.
 */
const retryStrategy = (times: number) => Math.min(100 * times, 1000);

/**
 * How a consumer's Cluster client rides through a failover: a command to the dead master's slots
 * is retried every 200 ms (on a closed connection, CLUSTERDOWN or TRYAGAIN, each after a refresh
 * of the slot map) up to 75 times, 15 s, which covers Redis' default cluster-node-timeout of
 * 15 s plus the election. ioredis' defaults (100 ms, 16 times) gave up after 1.6 s with "Too many
 * Cluster redirections": the worker's completion of a job was lost, and the job waited for
 * stalled-job recovery. MOVED is followed after 50 ms so a slot map still naming the dead
 * master does not spend the redirections at once. Producers keep the defaults: the API
 * answers 503 with Retry-After rather than hold a create.
 */
const CLUSTER_CONSUMER: Pick<ClusterOptions, 'maxRedirections' | 'retryDelayOnFailover' | 'retryDelayOnClusterDown' | 'retryDelayOnTryAgain' | 'retryDelayOnMoved'> = {
  maxRedirections: 75,
  retryDelayOnFailover: 200,
  retryDelayOnClusterDown: 200,
  retryDelayOnTryAgain: 200,
  retryDelayOnMoved: 50,
};

const ROLE_OPTIONS: Record<ConnectionRole, Pick<RedisOptions, 'enableOfflineQueue' | 'maxRetriesPerRequest'>> = {
  producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  consumer: { maxRetriesPerRequest: null },
};

/**
 * After a failover a connection can still reach the demoted primary, now a read-only replica.
 * Reconnecting makes the Sentinel client ask for the new primary (and the Cluster client refresh
 * its slots); the failed command itself surfaces (a 503 upstream: isRedisUnavailable).
 */
const reconnectOnError = (err: Error) => err.message.startsWith('READONLY');

/** ioredis options for a server or a Sentinel-watched primary; not for Cluster (see createRedisClient). */
export function redisOptions(url: string, role: ConnectionRole): RedisOptions {
  const topology = parseRedisUrl(url);
  if (topology.mode === 'cluster') throw new Error('redisOptions: a redis-cluster:// URL needs a Cluster client (createRedisClient)');
  return { ...nodeOptions(topology), ...ROLE_OPTIONS[role] };
}

function nodeOptions(topology: RedisTopology): RedisOptions {
  const auth = { username: topology.username, password: topology.password, retryStrategy, reconnectOnError };
  switch (topology.mode) {
    case 'server':
      return 'path' in topology
        ? { ...auth, path: topology.path, db: topology.db }
        : { ...auth, host: topology.host, port: topology.port, db: topology.db, tls: topology.tls ? {} : undefined };
    case 'sentinel':
      return {
        ...auth,
        sentinels: topology.sentinels,
        name: topology.name,
        db: topology.db,
        sentinelUsername: topology.sentinelUsername,
        sentinelPassword: topology.sentinelPassword,
        // No failoverDetector: ioredis 5.11 leaves its subscriptions to the Sentinels open after
        // quit(), and BullMQ closes its connections with quit(). A client finds the new primary
        // anyway: the old one's connection drops (or answers READONLY: reconnectOnError) and the
        // reconnection asks the Sentinels again.
        ...(topology.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      };
    case 'cluster':
      return { ...auth, tls: topology.tls ? {} : undefined };
  }
}

function clusterOptions(topology: Extract<RedisTopology, { mode: 'cluster' }>, role: ConnectionRole): ClusterOptions {
  const { retryStrategy: _perNode, ...redis } = nodeOptions(topology);
  return {
    redisOptions: { ...redis, maxRetriesPerRequest: ROLE_OPTIONS[role].maxRetriesPerRequest },
    enableOfflineQueue: ROLE_OPTIONS[role].enableOfflineQueue ?? true,
    clusterRetryStrategy: retryStrategy,
    ...(role === 'consumer' ? CLUSTER_CONSUMER : {}),
  };
}

/** A new client of REDIS_URL's topology for `role`; the caller owns (and closes) it. */
export function createRedisClient(url: string, role: ConnectionRole, extra: { lazyConnect?: boolean } = {}): RedisClient {
  const topology = parseRedisUrl(url);
  if (topology.mode === 'cluster') return new Cluster(topology.nodes, { ...clusterOptions(topology, role), ...extra });
  return new Redis({ ...nodeOptions(topology), ...ROLE_OPTIONS[role], ...extra });
}

/**
 * Whether an error means Redis could not be reached or could not answer now (down, restarting,
 * still loading its data set, failing over, or the offline queue refused the command): the
 * request may be retried, so it is a 503, never a 500. ioredis reports these with names, codes
 * or messages only.
 */
export function isRedisUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError') return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'NR_CLOSED'].includes(e.code)) return true;
  const message = e.message ?? '';
  return (
    message.includes("Stream isn't writeable and enableOfflineQueue options is false") ||
    message.includes("Cluster isn't ready and enableOfflineQueue options is false") ||
    message === 'Connection is closed.' ||
    // A demoted primary (READONLY), a cluster without a quorum or moving slots (CLUSTERDOWN,
    // TRYAGAIN), a replica that lost its primary (MASTERDOWN).
    /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY) /.test(message)
  );
}
