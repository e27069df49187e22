// Free loopback ports for servers started by tests, and by the processes tests start.
//
// Not port 0's pick: the kernel takes those from the ephemeral range, the same range every
// outgoing connection (to Redis, S3, Chromium) binds its local port from, so a port probed free
// could be taken by a client socket before the child process listened on it (EADDRINUSE). Ports
// come instead from below that range, from a block of its own for each jest worker, handed out
// in turn so two calls of one process never get the same port.
import net from 'node:net';

const FIRST = 20_000;
const BLOCK = 1_500;
const BLOCKS = 8;
const worker = (Number(process.env.JEST_WORKER_ID ?? '1') - 1) % BLOCKS;
const start = FIRST + worker * BLOCK;
let next = Math.floor(Math.random() * BLOCK);

function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = start + (next++ % BLOCK);
    if (await listens(port)) return port;
  }
  throw new Error(`No free loopback port in ${start}-${start + BLOCK - 1}`);
}
