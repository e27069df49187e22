import { Cluster, Redis } from 'ioredis';
import { createRedisClient, isRedisUnavailable, redisOptions } from './redis-connection';
import { hashTagOf, parseRedisUrl } from './redis-url';

describe('parseRedisUrl', () => {
  it('reads one server over TCP, TLS or a socket', () => {
    expect(parseRedisUrl('redis://127.0.0.1')).toEqual({ mode: 'server', tls: false, host: '127.0.0.1', port: 6379, db: 0 });
    expect(parseRedisUrl('rediss://user:p%40ss@[::1]:6380/3')).toEqual({ mode: 'server', tls: true, host: '::1', port: 6380, db: 3, username: 'user', password: 'p@ss' });
    expect(parseRedisUrl('unix:///run/redis.sock?db=2')).toEqual({ mode: 'server', tls: false, path: '/run/redis.sock', db: 2 });
  });

  it('reads Sentinels, the primary they watch, its database and the Sentinels’ own credentials', () => {
    expect(parseRedisUrl('redis-sentinel://:p%3Ass@s1.example:26380,s2.example,[fd00::1]:26379/mymaster/4?sentinelPassword=s%26p')).toEqual({
      mode: 'sentinel',
      tls: false,
      sentinels: [
        { host: 's1.example', port: 26380 },
        { host: 's2.example', port: 26379 },
        { host: 'fd00::1', port: 26379 },
      ],
      name: 'mymaster',
      db: 4,
      password: 'p:ss',
      sentinelPassword: 's&p',
    });
  });

  it('reads the seed nodes of a Cluster', () => {
    expect(parseRedisUrl('rediss-cluster://default:pw@n1:7000,n2:7001')).toEqual({
      mode: 'cluster',
      tls: true,
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      username: 'default',
      password: 'pw',
    });
  });

  it('refuses what it cannot use, saying why', () => {
    expect(() => parseRedisUrl('redis-sentinel://s1/')).toThrow('a redis-sentinel:// URL names its primary after the hosts');
    expect(() => parseRedisUrl('redis-sentinel://s1/m/0/x')).toThrow('a redis-sentinel:// URL names its primary after the hosts');
    expect(() => parseRedisUrl('redis-cluster://n1:7000,,n2:7000')).toThrow('"" is not a host[:port]');
    expect(() => parseRedisUrl('redis-cluster://n1:7000?db=1')).toThrow('unknown parameter db in a redis-cluster:// URL');
    expect(() => parseRedisUrl('memcached://cache:11211')).toThrow('unsupported scheme memcached');
    expect(() => parseRedisUrl('redis-proxy://x')).toThrow('unsupported scheme redis-proxy');
    expect(() => parseRedisUrl('redis-sentinel:s1/mymaster')).toThrow('expected redis-sentinel://host:port[,host:port…]/<primary name> or redis-cluster://host:port[,host:port…]');
    expect(() => parseRedisUrl('not a url')).toThrow(/^not a URL/);
  });
});

describe('hashTagOf', () => {
  it('follows the Redis Cluster spec: the first {…} with something inside', () => {
    expect(hashTagOf('{pixelfarm}')).toBe('pixelfarm');
    expect(hashTagOf('prod:{pf}:x{y}')).toBe('pf');
    expect(hashTagOf('pixelfarm')).toBeUndefined();
    expect(hashTagOf('{}{pf}')).toBeUndefined();
    expect(hashTagOf('pf{')).toBeUndefined();
  });
});

describe('redisOptions', () => {
  it('reads host, port, credentials, database and TLS from a redis URL', () => {
    expect(redisOptions('rediss://user:p%40ss@redis.example:6380/3', 'consumer')).toMatchObject({
      host: 'redis.example',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 3,
      tls: {},
      maxRetriesPerRequest: null,
    });
  });

  it('connects to a unix socket, with its database as a query parameter', () => {
    const o = redisOptions('unix:///run/redis/redis.sock?db=2', 'producer');
    expect(o).toMatchObject({ path: '/run/redis/redis.sock', db: 2, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    expect(o.host).toBeUndefined();
  });

  it('asks Sentinels for the primary', () => {
    expect(redisOptions('redis-sentinel://:pw@s1:26379,s2:26379/mymaster/1', 'producer')).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      db: 1,
      password: 'pw',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
  });

  it('has no single-node options for a Cluster', () => {
    expect(() => redisOptions('redis-cluster://n1:7000', 'producer')).toThrow('a redis-cluster:// URL needs a Cluster client');
  });
});

describe('createRedisClient', () => {
  it('builds ioredis’ Cluster client for a Cluster, with the role’s options on every node', () => {
    const producer = createRedisClient('redis-cluster://:pw@127.0.0.1:7000', 'producer', { lazyConnect: true }) as Cluster;
    const consumer = createRedisClient('redis-cluster://127.0.0.1:7000', 'consumer', { lazyConnect: true }) as Cluster;
    try {
      expect(producer).toBeInstanceOf(Cluster);
      expect(producer.options).toMatchObject({ enableOfflineQueue: false, redisOptions: { password: 'pw', maxRetriesPerRequest: 1 } });
      // BullMQ refuses a blocking connection whose nodes give up on commands.
      expect(consumer.options).toMatchObject({ enableOfflineQueue: true, redisOptions: { maxRetriesPerRequest: null } });
    } finally {
      producer.disconnect();
      consumer.disconnect();
    }
  });

  it('builds a plain client for one server or Sentinel', () => {
    const client = createRedisClient('redis://127.0.0.1:1', 'producer', { lazyConnect: true });
    try {
      expect(client).toBeInstanceOf(Redis);
    } finally {
      client.disconnect();
    }
  });
});

describe('isRedisUnavailable', () => {
  it('takes failover and cluster errors for a passing outage', () => {
    for (const message of [
      "READONLY You can't write against a read only replica.",
      'CLUSTERDOWN The cluster is down',
      "Cluster isn't ready and enableOfflineQueue options is false",
      'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no',
    ]) {
      expect({ message, unavailable: isRedisUnavailable(new Error(message)) }).toEqual({ message, unavailable: true });
    }
    expect(isRedisUnavailable(Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }))).toBe(true);
    expect(isRedisUnavailable(new Error('ERR wrong number of arguments'))).toBe(false);
  });
});
