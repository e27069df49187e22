// A sealed network lab for tests that need the real web's shape without the real web: two
// network namespaces joined by one veth pair, holding nothing but loopback and that link.
// "worker" is where the service's worker and its Chromium run; "internet" holds test hosts at
// whatever addresses a test names, public-looking or private. There is no default route and
// no link to the host's network, and both are checked before any process is started in the
// lab, so nothing sent inside it can leave the machine.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The address the worker namespace sends from. */
const WORKER_ADDRESS = '198.51.100.2';

export interface LabSpec {
  /** Addresses the "internet" namespace answers on. */
  hosts: readonly string[];
  /** Host names the worker namespace resolves (its own /etc/hosts), name -> address. */
  names?: Readonly<Record<string, string>>;
}

export interface NetworkLab {
  readonly worker: string;
  readonly internet: string;
  /** Spawns a command inside a namespace of the lab. */
  spawn(ns: string, command: string, args: readonly string[], env: Record<string, string>): ChildProcess;
  close(): void;
}

/** Why no lab can be built on this machine, or null when one can (root, iproute2). */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the network lab needs root (ip netns)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the network lab needs iproute2 (`ip`), which is not installed';
  return null;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

export function buildLab(spec: LabSpec): NetworkLab {
  const id = randomBytes(3).toString('hex');
  const worker = `pf-w-${id}`;
  const internet = `pf-i-${id}`;
  const vWorker = `pfw${id}`;
  const vInternet = `pfi${id}`;
  const etc = path.join('/etc/netns', worker);
  const lab: NetworkLab = {
    worker,
    internet,
    spawn: (ns, command, args, env) =>
      spawn('ip', ['netns', 'exec', ns, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    close() {
      for (const ns of [worker, internet]) spawnSync('ip', ['netns', 'delete', ns]);
      fs.rmSync(etc, { recursive: true, force: true });
    },
  };
  try {
    ip('netns', 'add', worker);
    ip('netns', 'add', internet);
    // The pair is created with its ends already inside the lab: it never exists in the host's namespace.
    ip('link', 'add', vWorker, 'netns', worker, 'type', 'veth', 'peer', 'name', vInternet, 'netns', internet);
    for (const [ns, dev] of [
      [worker, vWorker],
      [internet, vInternet],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    ip('-n', worker, 'addr', 'add', `${WORKER_ADDRESS}/32`, 'dev', vWorker);
    ip('-n', internet, 'route', 'add', `${WORKER_ADDRESS}/32`, 'dev', vInternet);
    for (const host of spec.hosts) {
      // Each test host lives on the internet namespace's loopback and is reached over the link.
      ip('-n', internet, 'addr', 'add', `${host}/32`, 'dev', 'lo');
      ip('-n', worker, 'route', 'add', `${host}/32`, 'dev', vWorker, 'src', WORKER_ADDRESS);
    }
    // `ip netns exec` mounts /etc/netns/<ns>/* over /etc: the worker's own names, and a resolver
    // on its own loopback where nothing listens, so a name lookup never leaves the namespace.
    fs.mkdirSync(etc, { recursive: true });
    const names = Object.entries(spec.names ?? {}).map(([name, addr]) => `${addr} ${name}\n`);
    fs.writeFileSync(path.join(etc, 'hosts'), `127.0.0.1 localhost\n${names.join('')}`);
    fs.writeFileSync(path.join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    assertSealed(worker, new Set(['lo', vWorker]), [vWorker, vInternet]);
    assertSealed(internet, new Set(['lo', vInternet]), [vWorker, vInternet]);
    return lab;
  } catch (err) {
    lab.close();
    throw err;
  }
}

interface LinkInfo {
  ifname: string;
}
interface RouteInfo {
  dst: string;
  dev?: string;
}

/**
 * Refuses a namespace that could reach beyond the lab: any interface but loopback and the
 * lab's own veth end, any default route in any table of either family, any route out of
 * another device, or a lab interface that shows up in the host's own namespace.
 */
function assertSealed(ns: string, devices: ReadonlySet<string>, labLinks: readonly string[]): void {
  const links = JSON.parse(ip('-n', ns, '-j', 'link', 'show')) as LinkInfo[];
  const stray = links.map((l) => l.ifname).filter((name) => !devices.has(name));
  if (stray.length > 0) throw new Error(`lab namespace ${ns} has interfaces beyond the lab: ${stray.join(', ')}`);
  for (const family of ['-4', '-6']) {
    const routes = JSON.parse(ip('-n', ns, '-j', family, 'route', 'show', 'table', 'all')) as RouteInfo[];
    const out = routes.filter((r) => r.dst === 'default' || (r.dev !== undefined && !devices.has(r.dev)));
    if (out.length > 0) throw new Error(`lab namespace ${ns} has routes out of the lab: ${JSON.stringify(out)}`);
  }
  const host = JSON.parse(ip('-j', 'link', 'show')) as LinkInfo[];
  const leaked = host.filter((l) => labLinks.includes(l.ifname));
  if (leaked.length > 0) throw new Error(`lab links appear in the host namespace: ${leaked.map((l) => l.ifname).join(', ')}`);
}
