import { redisOptions } from './redis-connection';

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
});
