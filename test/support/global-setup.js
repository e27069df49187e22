// Starts a throwaway redis-server on a free port for the whole integration run; tests read
// its URL from TEST_REDIS_URL and isolate themselves with random key prefixes.
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

module.exports = async function globalSetup() {
  const { startRedis } = await import('../../scripts/local-redis.mjs');
  const port = await freePort();
  const child = await startRedis({ port });
  globalThis.__REDIS__ = child;
  process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
};
