// Starts a throwaway redis-server on a free port for the whole integration run; tests read
// its URL from TEST_REDIS_URL and isolate themselves with random key prefixes.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

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
  const { startRedis } = require('../../scripts/local-redis.cjs');
  const port = await freePort();
  const child = await startRedis({ port });
  globalThis.__REDIS__ = child;
  process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
  // Every temporary directory of the run lives under one root that teardown removes.
  process.env.TEST_TMP_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'pixelfarm-tests-'));
};
