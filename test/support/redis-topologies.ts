// Redis as operators run it at scale, started by the tests on loopback from the real binaries: a
// Redis Cluster of three masters (`redis-server --cluster-enabled yes` and `redis-cli --cluster
// create`), and a primary with a replica watched by three Sentinels (`redis-server --sentinel`).
// Nothing persists: every server runs in a temporary directory removed on stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

/** One redis-server process. */
export interface RedisProcess {
  port: number;
  child: ChildProcess;
  /** Sends `signal` and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs redis-cli against a port; returns its stdout (throws with its output on failure). */
export function cli(port: number, ...args: string[]): string {
  const res = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
  if (res.status !== 0) throw new Error(`redis-cli -p ${port} ${args.join(' ')}: ${res.stdout}${res.stderr}`);
  return res.stdout.trim();
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (check()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startServer(dir: string, args: string[], port: number): Promise<RedisProcess> {
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await until(`redis-server on ${port}`, () => {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited:\n${output}`);
    return cli(port, 'PING') === 'PONG';
  }).catch((err) => {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output}`);
  });
  return {
    port,
    child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

const EPHEMERAL = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];

export interface TestCluster {
  masters: RedisProcess[];
  /** One replica per master when started with `replicas: 1`, none otherwise. */
  replicas: RedisProcess[];
  /** redis-cluster://127.0.0.1:<port>,… naming every master as a seed. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Three masters, the 16,384 slots split between them, and `replicas` replicas of each (0 or 1).
 * A replica takes over its master's slots once the others have not heard from the master for
 * `nodeTimeoutMs` (cluster-node-timeout).
 */
export async function startCluster({ replicas = 0, nodeTimeoutMs = 2000 } = {}): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'redis-cluster-'));
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < 3 * (1 + replicas); i++) {
      const port = await freePort();
      nodes.push(
        await startServer(dir, [...EPHEMERAL, '--port', String(port), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs)], port),
      );
    }
    const res = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((m) => `127.0.0.1:${m.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
    if (res.status !== 0) throw new Error(`redis-cli --cluster create failed: ${res.stdout}${res.stderr}`);
    await until('cluster_state:ok on every node', () => nodes.every((m) => cli(m.port, 'CLUSTER', 'INFO').includes('cluster_state:ok')));
    if (replicas > 0) {
      await until('every replica in sync', () => nodes.every((n) => !cli(n.port, 'INFO', 'replication').includes('role:slave') || cli(n.port, 'INFO', 'replication').includes('master_link_status:up')));
    }
  } catch (err) {
    await Promise.all(nodes.map((m) => m.stop('SIGKILL')));
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const role = (n: RedisProcess) => cli(n.port, 'INFO', 'replication').includes('role:master');
  const masters = nodes.filter(role);
  return {
    masters,
    replicas: nodes.filter((n) => !masters.includes(n)),
    url: `redis-cluster://${masters.map((m) => `127.0.0.1:${m.port}`).join(',')}`,
    async stop() {
      await Promise.all(nodes.map((m) => m.stop('SIGKILL')));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The master that holds `key`'s hash slot, asked of any live node. */
export function masterOf(cluster: TestCluster, key: string, askPort: number): RedisProcess {
  const slot = Number(cli(askPort, 'CLUSTER', 'KEYSLOT', key));
  const nodes = cli(askPort, 'CLUSTER', 'NODES').split('\n');
  for (const line of nodes) {
    const [, addr, flags, , , , , , ...slots] = line.split(' ');
    if (!flags?.includes('master') || flags.includes('fail')) continue;
    const port = Number(addr!.split('@')[0]!.split(':')[1]);
    for (const range of slots) {
      const [from, to = from] = range.split('-').map(Number);
      if (slot >= from! && slot <= to!) return [...cluster.masters, ...cluster.replicas].find((n) => n.port === port)!;
    }
  }
  throw new Error(`no master holds slot ${slot}`);
}

export interface TestSentinels {
  /** The name the Sentinels know the primary by. */
  name: string;
  primary: RedisProcess;
  replica: RedisProcess;
  sentinels: RedisProcess[];
  /** redis-sentinel://127.0.0.1:<port>,…/<name> naming every Sentinel. */
  url: string;
  /** The port the Sentinels currently give for the primary. */
  primaryPort(): number;
  stop(): Promise<void>;
}

/**
 * A primary and one replica, watched by three Sentinels (quorum 2) that call the primary down
 * after `downAfterMs` without an answer. Resolves once every Sentinel knows the replica and the
 * other two Sentinels, so a failover can happen from then on.
 */
export async function startSentinels({ downAfterMs = 1000 } = {}): Promise<TestSentinels> {
  const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'redis-sentinel-'));
  const name = 'pixelfarm-primary';
  const started: RedisProcess[] = [];
  try {
    const primaryPort = await freePort();
    const primary = await startServer(dir, [...EPHEMERAL, '--port', String(primaryPort)], primaryPort);
    started.push(primary);
    const replicaPort = await freePort();
    const replica = await startServer(dir, [...EPHEMERAL, '--port', String(replicaPort), '--replicaof', '127.0.0.1', String(primaryPort)], replicaPort);
    started.push(replica);
    await until('the replica to sync', () => cli(replicaPort, 'INFO', 'replication').includes('master_link_status:up'));
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // A Sentinel rewrites its configuration file as it learns: one writable file each.
      const file = path.join(dir, `sentinel-${port}.conf`);
      fs.writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const sentinel = await startServer(dir, [file, '--sentinel'], port);
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    const field = (port: number, key: string) => {
      const lines = cli(port, 'SENTINEL', 'MASTER', name).split('\n');
      return lines[lines.indexOf(key) + 1];
    };
    await until('every Sentinel to know the replica and the other Sentinels', () =>
      sentinels.every((s) => field(s.port, 'num-slaves') === '1' && field(s.port, 'num-other-sentinels') === '2'),
    30_000);
    return {
      name,
      primary,
      replica,
      sentinels,
      url: `redis-sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${name}`,
      primaryPort: () => Number(cli(sentinels[0]!.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name).split('\n')[1]),
      async stop() {
        await Promise.all(started.map((p) => p.stop('SIGKILL')));
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
