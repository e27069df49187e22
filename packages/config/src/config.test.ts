import { ConfigError } from '@pixelfarm/errors';
import { DEV_API_KEY, findApiKey, loadConfig, parseApiKeys, RENDERS_PER_CPU } from '@pixelfarm/config';
import { availableCpus } from './cpu-budget';
import { DEV_DESTINATIONS_KEY } from '@pixelfarm/destinations';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.api.port).toBe(8080);
    expect(c.worker.port).toBe(9100);
    expect(c.api.publicUrl).toBe('http://localhost:8080');
    expect(c.queue.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.storage.driver).toBe('fs');
    expect(c.apiKeys).toEqual([DEV_API_KEY]);
    expect(c.usingDevKey).toBe(true);
    expect(c.worker.concurrency).toBeGreaterThanOrEqual(1);
    expect(Object.isFrozen(c) && Object.isFrozen(c.renderer) && Object.isFrozen(c.renderer.jumbo)).toBe(true);
  });

  it('runs two renders per CPU the worker may use, with two warm pages each and a recycle threshold above their steady memory', () => {
    const c = loadConfig({});
    expect(c.worker.concurrency).toBe(Math.min(64, availableCpus() * RENDERS_PER_CPU));
    expect(RENDERS_PER_CPU).toBe(2);
    expect(c.renderer.poolSize).toBe(c.worker.concurrency * 2);
    expect(loadConfig({ WORKER_CONCURRENCY: '3' }).renderer.poolSize).toBe(6);
    // Up to 16 pages: 2048. A large node's 64 pages (about 2.8 GB when warm) get 5120, not 2048.
    expect(loadConfig({ WORKER_CONCURRENCY: '8' }).renderer.recycleAboveMb).toBe(2048);
    expect(loadConfig({ WORKER_CONCURRENCY: '32' }).renderer.recycleAboveMb).toBe(5120);
    expect(loadConfig({ WORKER_CONCURRENCY: '32', BROWSER_RECYCLE_MB: '3000' }).renderer.recycleAboveMb).toBe(3000);
    expect(() => loadConfig({ WORKER_CONCURRENCY: '65' })).toThrow(/WORKER_CONCURRENCY/);
  });

  it('fills one slot per CPU while no interactive render waits, at most WORKER_CONCURRENCY', () => {
    expect(loadConfig({}).worker.baseConcurrency).toBe(Math.min(loadConfig({}).worker.concurrency, availableCpus()));
    expect(loadConfig({ WORKER_CONCURRENCY: '1' }).worker.baseConcurrency).toBe(1);
    expect(loadConfig({ WORKER_CONCURRENCY: '8', WORKER_BASE_CONCURRENCY: '3' }).worker.baseConcurrency).toBe(3);
    expect(loadConfig({}).worker.demandPollMs).toBe(100);
    expect(() => loadConfig({ WORKER_CONCURRENCY: '2', WORKER_BASE_CONCURRENCY: '3' })).toThrow(/WORKER_BASE_CONCURRENCY: must be at most WORKER_CONCURRENCY \(2\)/);
  });

  it('names every bad variable at once', () => {
    expect.assertions(4);
    try {
      loadConfig({ PORT: 'eighty', STORAGE_DRIVER: 'ftp', REDIS_URL: 'http://x' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/STORAGE_DRIVER/);
      expect(msg).toMatch(/REDIS_URL/);
    }
  });

  it('requires a bucket for the s3 driver', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET/);
    const c = loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(c.storage).toMatchObject({ driver: 's3', s3: { bucket: 'b', forcePathStyle: true } });
  });

  it('serves by redirect only from S3, and decodes at least what a render may produce', () => {
    expect(() => loadConfig({ SERVE_MODE: 'redirect' })).toThrow(/SERVE_MODE: redirect needs STORAGE_DRIVER=s3/);
    const s3 = loadConfig({ SERVE_MODE: 'redirect', STORAGE_DRIVER: 's3', S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(s3.storage.serve).toEqual({ mode: 'redirect', redirectTtlS: 3600 });
    expect(s3.storage.driver === 's3' && s3.storage.s3.publicEndpoint).toBe('http://127.0.0.1:9000');
    expect(() => loadConfig({ MAX_INPUT_PIXELS: '2000000' })).toThrow(/MAX_INPUT_PIXELS: must be at least MAX_RENDER_PIXELS/);
    expect(loadConfig({}).imaging.maxInputPixels).toBeLessThan(268_402_689 / 4);
    expect(() => loadConfig({ JPEG_QUALITY: '0' })).toThrow(/JPEG_QUALITY/);
  });

  it('checks every URL_ALLOWLIST entry and names the bad ones', () => {
    expect(loadConfig({ URL_ALLOWLIST: ' intranet.example, 10.0.0.0/8,fd00::/8 ,192.168.1.5' }).egress.urlAllowlist).toEqual([
      'intranet.example',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.5',
    ]);
    expect(() => loadConfig({ URL_ALLOWLIST: '10.0.0.0/33' })).toThrow('URL_ALLOWLIST: "10.0.0.0/33": the prefix length must be a whole number from 0 to 32');
    expect(() => loadConfig({ URL_ALLOWLIST: '10.0.0.0/x' })).toThrow(/"10\.0\.0\.0\/x": the prefix length/);
    expect(() => loadConfig({ URL_ALLOWLIST: 'intranet/8' })).toThrow(/"intranet\/8": a CIDR must start with an IPv4 or IPv6 address/);
    expect(() => loadConfig({ URL_ALLOWLIST: 'http://intranet' })).toThrow(/"http:\/\/intranet": not a host name, address or CIDR/);
  });

  it('takes Redis over TCP, TLS or a unix socket, through Sentinels, or as a Cluster', () => {
    for (const url of [
      'unix:///run/redis/redis.sock?db=2',
      'rediss://u:p@redis.example:6380/1',
      'redis-sentinel://:p@sentinel-0.example:26379,sentinel-1.example:26379/mymaster/2',
      'rediss-sentinel://sentinel.example/mymaster?sentinelPassword=s',
    ]) {
      expect(loadConfig({ REDIS_URL: url }).queue.redisUrl).toBe(url);
    }
    expect(loadConfig({ REDIS_URL: 'redis-cluster://10.0.0.1:7000,10.0.0.2:7000', REDIS_PREFIX: '{pixelfarm}' }).queue.prefix).toBe('{pixelfarm}');
  });

  it('names what is wrong with a REDIS_URL', () => {
    for (const [url, message] of [
      ['http://redis.example', 'REDIS_URL: unsupported scheme http: use redis, rediss, unix, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster'],
      ['redis-sentinel://s1:26379,s2:26379', 'REDIS_URL: a redis-sentinel:// URL names its primary after the hosts: redis-sentinel://host:26379,host:26379/<primary name>[/db]'],
      ['redis-sentinel://s1:26379/mymaster?password=x', 'REDIS_URL: unknown parameter password in a redis-sentinel:// URL (sentinelUsername and sentinelPassword are known)'],
      ['redis-cluster://n1:7000,n2:7000/3', 'REDIS_URL: Redis Cluster has database 0 only: a redis-cluster:// URL takes no database'],
      ['redis-cluster://n1:7000,n2:70000', 'REDIS_URL: "n2:70000": the port must be from 1 to 65535'],
      ['redis-cluster://', 'REDIS_URL: a redis-cluster:// URL needs at least one host:port'],
      ['redis://redis.example/x', 'REDIS_URL: the database must be a whole number, not "x"'],
    ] as const) {
      expect(() => loadConfig({ REDIS_URL: url, REDIS_PREFIX: '{pixelfarm}' })).toThrow(`Invalid configuration: ${message}`);
    }
  });

  it('requires a hash-tagged REDIS_PREFIX under Redis Cluster, so that every key shares one slot', () => {
    const cluster = 'redis-cluster://10.0.0.1:7000';
    const message = 'REDIS_PREFIX: under Redis Cluster every key must be in one hash slot, as BullMQ requires: put the prefix (or part of it) in braces, e.g. {pixelfarm}';
    expect(() => loadConfig({ REDIS_URL: cluster })).toThrow(`Invalid configuration: ${message}`);
    // An empty tag hashes the whole key; a brace left open would pair with a later key's `}`.
    for (const prefix of ['pixelfarm', '{}pixelfarm', 'pixel{farm', 'pixelfarm}{']) expect(() => loadConfig({ REDIS_URL: cluster, REDIS_PREFIX: prefix })).toThrow(/REDIS_PREFIX: under Redis Cluster/);
    for (const prefix of ['{pixelfarm}', 'prod:{pixelfarm}', '{pf}:prod']) expect(loadConfig({ REDIS_URL: cluster, REDIS_PREFIX: prefix }).queue.prefix).toBe(prefix);
    // One server or Sentinel has a single keyspace: any prefix.
    expect(loadConfig({ REDIS_PREFIX: 'pixelfarm' }).queue.prefix).toBe('pixelfarm');
  });

  it('serves the API\'s metrics on their own port', () => {
    expect(loadConfig({}).api.metricsPort).toBe(9464);
    expect(loadConfig({ METRICS_PORT: '9999' }).api.metricsPort).toBe(9999);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });

  it('seals destination secrets with DESTINATIONS_KEY, a public development key beside the development API key, or turns destinations off', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const next = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ DESTINATIONS_KEY: key, API_KEYS: 'a:12345678' }).destinations).toEqual({
      keys: [key],
      usingDevKey: false,
      attempts: 3,
      timeoutMs: 10_000,
      perAccount: 25,
    });
    expect(loadConfig({ DESTINATIONS_KEY: `${next}, ${key}` }).destinations.keys).toEqual([next, key]);
    const dev = loadConfig({}).destinations;
    expect(dev).toMatchObject({ keys: [DEV_DESTINATIONS_KEY], usingDevKey: true });
    // Real API keys and no DESTINATIONS_KEY: destinations are off, never sealed with a public key.
    expect(loadConfig({ API_KEYS: 'a:12345678' }).destinations).toMatchObject({ keys: [], usingDevKey: false });
    const limits = loadConfig({ DESTINATION_ATTEMPTS: '5', DESTINATION_TIMEOUT_MS: '2500', DESTINATIONS_PER_ACCOUNT: '3' }).destinations;
    expect(limits).toMatchObject({ attempts: 5, timeoutMs: 2500, perAccount: 3 });
    expect(() => loadConfig({ DESTINATION_ATTEMPTS: '0' })).toThrow(/DESTINATION_ATTEMPTS/);
  });

  it('names what is wrong with DESTINATIONS_KEY, never echoing it', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    expect(() => loadConfig({ DESTINATIONS_KEY: short })).toThrow(
      'Invalid configuration: DESTINATIONS_KEY: the key must hold 32 bytes, it holds 16 (generate one with: openssl rand -base64 32)',
    );
    expect(() => loadConfig({ DESTINATIONS_KEY: short })).toThrow(ConfigError);
    expect(() => loadConfig({ DESTINATIONS_KEY: short })).not.toThrow(short);
    expect(() => loadConfig({ DESTINATIONS_KEY: 'not-base64!' })).toThrow('DESTINATIONS_KEY: the key is not base64');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', API_KEYS: '' }).api.port).toBe(8080);
  });
});

describe('API keys', () => {
  it('parses pairs and rejects malformed ones', () => {
    expect(parseApiKeys('a:12345678, b:abcdefgh')).toEqual([
      { id: 'a', key: '12345678' },
      { id: 'b', key: 'abcdefgh' },
    ]);
    expect(() => parseApiKeys('nokey')).toThrow(/id:key/);
    expect(() => parseApiKeys('a:short')).toThrow(/at least 8/);
    expect(() => parseApiKeys('a:12345678,a:87654321')).toThrow(/twice/);
    expect(() => loadConfig({ API_KEYS: 'x' })).toThrow(/API_KEYS/);
  });

  it('finds only the exact pair', () => {
    const keys = parseApiKeys('a:12345678,b:abcdefgh');
    expect(findApiKey(keys, 'b', 'abcdefgh')?.id).toBe('b');
    expect(findApiKey(keys, 'a', 'abcdefgh')).toBeUndefined();
    expect(findApiKey(keys, 'a', '1234567')).toBeUndefined();
  });

  it('reads PROXIES as id=url pairs with credentials, and names a bad entry without its secret', () => {
    const c = loadConfig({ PROXIES: 'corp=https://user:p%40ss@proxy.internal:8443, eu=http://10.0.0.5:3128' });
    expect(c.renderer.proxies).toEqual([
      { id: 'corp', protocol: 'https', host: 'proxy.internal', port: 8443, username: 'user', password: 'p@ss' },
      { id: 'eu', protocol: 'http', host: '10.0.0.5', port: 3128 },
    ]);
    expect(loadConfig({}).renderer.proxies).toEqual([]);
    expect(c.requests.proxyIds).toEqual(['corp', 'eu']);
    for (const [value, message] of [
      ['corp=socks5://u:secret@h:1080', 'PROXIES: "corp": the proxy url must be http:// or https://'],
      ['corp=http://u:secret@h:3128/path', 'PROXIES: "corp": the proxy url takes no path, query or fragment'],
      ['corp=http://h:1,corp=http://h:2', 'PROXIES: "corp": is listed twice'],
      ['http://u:secret@h:3128', 'PROXIES: an entry: each entry is id=url'],
    ] as const) {
      expect(() => loadConfig({ PROXIES: value })).toThrow(message);
      expect(() => loadConfig({ PROXIES: value })).not.toThrow(/secret/);
    }
  });

  it('has jumbo and single-capture limits with hcti\'s defaults', () => {
    const c = loadConfig({});
    expect(c.renderer.jumbo).toEqual({ maxSide: 80_000, maxPixels: 400_000_000, tileSize: 8_000, timeoutMs: 120_000 });
    expect(c.requests.jumbo).toEqual({ maxSide: 80_000, maxPixels: 400_000_000 });
    expect(c.worker.maxJumboOutputBytes).toBe(512 * 1024 * 1024);
    expect(c.renderer.maxCaptureSide).toBe(16_384);
  });

  it('has no per-key rate limit unless RATE_LIMIT_PER_MINUTE is set, and no image allowance unless IMAGE_ALLOWANCE is', () => {
    expect(loadConfig({}).api.rateLimit).toBeUndefined();
    expect(loadConfig({}).api.imageAllowance).toBeUndefined();
    expect(loadConfig({ IMAGE_ALLOWANCE: '3000' }).api.imageAllowance).toBe(3000);
    expect(() => loadConfig({ IMAGE_ALLOWANCE: '0' })).toThrow(/IMAGE_ALLOWANCE/);
    expect(() => loadConfig({ RATE_LIMIT_BURST: '100' })).toThrow('Invalid configuration: RATE_LIMIT_BURST: needs RATE_LIMIT_PER_MINUTE (there is no per-key rate limit without it)');
  });

  it('sizes the rate limit bucket: 10 seconds of the rate by default, one second to a minute of it', () => {
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '600' }).api.rateLimit).toEqual({ perMinute: 600, burst: 100, whenRedisDown: 'memory' });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '3' }).api.rateLimit!.burst).toBe(1);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '120', RATE_LIMIT_BURST: '2', RATE_LIMIT_WHEN_REDIS_DOWN: 'refuse' }).api.rateLimit).toEqual({ perMinute: 120, burst: 2, whenRedisDown: 'refuse' });
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST: '9' })).toThrow(
      'Invalid configuration: RATE_LIMIT_BURST: must be from 10 (one second of RATE_LIMIT_PER_MINUTE) to RATE_LIMIT_PER_MINUTE (600)',
    );
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST: '601' })).toThrow(/RATE_LIMIT_BURST: must be from 10/);
    expect(() => loadConfig({ RATE_LIMIT_WHEN_REDIS_DOWN: 'open' })).toThrow(/RATE_LIMIT_WHEN_REDIS_DOWN/);
  });
});
