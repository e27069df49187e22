// Stops the redis-server started by global-setup.js and removes the run's temporary files.
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  if (process.env.TEST_TMP_ROOT) fs.rmSync(process.env.TEST_TMP_ROOT, { recursive: true, force: true });
  const child = globalThis.__REDIS__;
  if (child && child.exitCode === null) {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
};
