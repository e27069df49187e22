// Stops the redis-server started by global-setup.js.
module.exports = async function globalTeardown() {
  const child = globalThis.__REDIS__;
  if (child && child.exitCode === null) {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
};
