// REDIS_URL read into the Redis topology it names, one per scheme, and the key-prefix rule
// Redis Cluster imposes. Pure parsing: loadConfig validates with it at start, the connection
// factory (redis-connection.ts) builds ioredis clients from what it returns.
//
//   redis://[user:pass@]host[:6379][/db]   one server (rediss:// over TLS)
//   unix:///path/redis.sock[?db=N]         one server on a socket (a sidecar)
//   redis-sentinel://[user:pass@]host[:26379][,host[:26379]…]/<primary name>[/db][?sentinelUsername=…&sentinelPassword=…]
//                                          ioredis' Sentinel client: it asks the Sentinels where
//                                          the primary is, and again after a failover
//   redis-cluster://[user:pass@]host[:6379][,host[:6379]…]
//                                          ioredis' Cluster client (database 0 only, as Cluster has)
// rediss-sentinel:// and rediss-cluster:// are the same over TLS. Credentials are percent-encoded
// and belong to the data nodes; Sentinels that require their own take them from the query.

export interface HostPort {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
}

export type RedisTopology =
  | ({ mode: 'server'; tls: boolean; db: number } & ({ host: string; port: number } | { path: string }) & Credentials)
  | ({ mode: 'sentinel'; tls: boolean; db: number; sentinels: HostPort[]; name: string; sentinelUsername?: string; sentinelPassword?: string } & Credentials)
  | ({ mode: 'cluster'; tls: boolean; nodes: HostPort[] } & Credentials);

/** REDIS_URL cannot be used; the message says why, naming the part at fault. */
export class RedisUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const DEFAULT_PORT = { server: 6379, sentinel: 26379, cluster: 6379 } as const;
const MULTI_HOST = /^(rediss?)-(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?$/;

/** Reads REDIS_URL; throws RedisUrlError with a message meant for the operator. */
export function parseRedisUrl(url: string): RedisTopology {
  const multi = MULTI_HOST.exec(url);
  if (multi) return parseMultiHost(multi);
  if (/^[a-z][a-z0-9+.-]*-(sentinel|cluster):/i.test(url)) throw new RedisUrlError('expected redis-sentinel://host:port[,host:port…]/<primary name> or redis-cluster://host:port[,host:port…]');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError('not a URL (redis://host:6379, unix:///path/redis.sock, redis-sentinel://… or redis-cluster://…)');
  }
  const credentials = credentialsOf(decodeURIComponent(u.username), decodeURIComponent(u.password));
  if (u.protocol === 'unix:') {
    if (!u.pathname || u.pathname === '/') throw new RedisUrlError('a unix:// URL needs the socket path (unix:///run/redis/redis.sock)');
    return { mode: 'server', tls: false, path: decodeURIComponent(u.pathname), db: database(u.searchParams.get('db') ?? '0'), ...credentials };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new RedisUrlError(`unsupported scheme ${u.protocol.replace(/:$/, '')}: use redis, rediss, unix, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster`);
  }
  if (!u.hostname) throw new RedisUrlError('the URL names no host');
  return {
    mode: 'server',
    tls: u.protocol === 'rediss:',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : DEFAULT_PORT.server,
    db: database(u.pathname.length > 1 ? u.pathname.slice(1) : '0'),
    ...credentials,
  };
}

function parseMultiHost([, scheme, kind, userinfo, hostList, path, query]: RegExpExecArray): RedisTopology {
  const mode = kind as 'sentinel' | 'cluster';
  const tls = scheme === 'rediss';
  const [user = '', ...pass] = (userinfo ?? '').split(':');
  const credentials = credentialsOf(decode(user, 'the user name'), decode(pass.join(':'), 'the password'));
  if (!hostList) throw new RedisUrlError(`a ${scheme}-${mode}:// URL needs at least one host:port`);
  const hosts = hostList.split(',').map((entry) => hostPort(entry, DEFAULT_PORT[mode]));
  const params = new URLSearchParams(query ?? '');
  const segments = (path ?? '').split('/').filter(Boolean).map((s) => decode(s, 'the path'));
  if (mode === 'cluster') {
    if (segments.length > 1 || (segments.length === 1 && segments[0] !== '0')) throw new RedisUrlError('Redis Cluster has database 0 only: a redis-cluster:// URL takes no database');
    const unknown = [...params.keys()];
    if (unknown.length > 0) throw new RedisUrlError(`unknown parameter ${unknown[0]} in a redis-cluster:// URL`);
    return { mode, tls, nodes: hosts, ...credentials };
  }
  const [name, db = '0', ...extra] = segments;
  if (!name || extra.length > 0) throw new RedisUrlError('a redis-sentinel:// URL names its primary after the hosts: redis-sentinel://host:26379,host:26379/<primary name>[/db]');
  const unknown = [...params.keys()].filter((k) => k !== 'sentinelUsername' && k !== 'sentinelPassword');
  if (unknown.length > 0) throw new RedisUrlError(`unknown parameter ${unknown[0]} in a redis-sentinel:// URL (sentinelUsername and sentinelPassword are known)`);
  return {
    mode,
    tls,
    sentinels: hosts,
    name,
    db: database(db),
    sentinelUsername: params.get('sentinelUsername') || undefined,
    sentinelPassword: params.get('sentinelPassword') || undefined,
    ...credentials,
  };
}

function hostPort(entry: string, defaultPort: number): HostPort {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i.exec(entry);
  if (!m) throw new RedisUrlError(`${JSON.stringify(entry)} is not a host[:port]`);
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (port < 1 || port > 65535) throw new RedisUrlError(`${JSON.stringify(entry)}: the port must be from 1 to 65535`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function database(value: string): number {
  if (!/^\d{1,2}$/.test(value)) throw new RedisUrlError(`the database must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

function decode(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new RedisUrlError(`${what} is not valid percent-encoding`);
  }
}

function credentialsOf(username: string, password: string): Credentials {
  return { username: username || undefined, password: password || undefined };
}

/**
 * The hash tag of a key prefix (Redis Cluster spec: the text between the first `{` and the first
 * `}` after it, when not empty), or undefined when the prefix has none of its own. Every key of a
 * deployment starts with the prefix, so a tag inside it puts them all in one hash slot, as
 * BullMQ's multi-key scripts require; a `{` left open would pair with a `}` later in some keys
 * (batch keys carry their own tags) and scatter them.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}
