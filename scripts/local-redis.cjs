// Finds a Redis that answers, or starts a local redis-server for single-machine runs and tests.
'use strict';
const { spawn } = require('node:child_process');
const net = require('node:net');

/** Resolves true when a Redis server answers PING at host:port. */
function pingRedis(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * Starts redis-server on port and waits until it answers. `dir` keeps its append-only file
 * (omit it for a throwaway test server without persistence). `ownGroup` puts it in a process
 * group of its own, so a terminal's Ctrl-C reaches only its parent, which stops it last.
 * Returns the child process.
 */
async function startRedis({ port, dir, host = '127.0.0.1', ownGroup = false }) {
  const args = ['--port', String(port), '--bind', host, '--save', ''];
  args.push(...(dir ? ['--dir', dir, '--appendonly', 'yes'] : ['--appendonly', 'no']));
  const child = spawn('redis-server', args, { stdio: 'ignore', detached: ownGroup });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await pingRedis(host, port, 200)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not answer within 10 s');
}

module.exports = { pingRedis, startRedis };
