// How many CPUs this process may really use: the cores it sees, capped by its cgroup's CPU
// quota (a container's `resources.limits.cpu` or `--cpus`). os.availableParallelism() counts
// the host's cores, so a worker limited to 2 CPUs on a 64-core node sized itself for 64 and
// ran 64 renders on 2 CPUs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ReadFile = (file: string) => string | null;

const readOrNull: ReadFile = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** CPUs allowed by the cgroup quota (fractional), or null when there is none. Both cgroup v2 and v1. */
export function cgroupCpuLimit(read: ReadFile = readOrNull): number | null {
  const groups = (read('/proc/self/cgroup') ?? '').split('\n').filter(Boolean);
  const limits: number[] = [];
  for (const line of groups) {
    const [, controllers, group] = line.split(':');
    if (controllers === '' && group !== undefined) {
      // v2: cpu.max = "<quota> <period>" or "max <period>", at every level up to the root.
      for (const dir of ancestors('/sys/fs/cgroup', group)) {
        const [quota, period] = (read(path.join(dir, 'cpu.max')) ?? '').trim().split(/\s+/);
        if (quota && quota !== 'max' && Number(period) > 0) limits.push(Number(quota) / Number(period));
      }
    } else if (controllers?.split(',').includes('cpu') && group !== undefined) {
      for (const mount of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
        for (const dir of ancestors(mount, group)) {
          const quota = Number(read(path.join(dir, 'cpu.cfs_quota_us')));
          const period = Number(read(path.join(dir, 'cpu.cfs_period_us')));
          if (quota > 0 && period > 0) limits.push(quota / period);
        }
      }
    }
  }
  return limits.length > 0 ? Math.min(...limits) : null;
}

/** The group's directory and each parent's, under the controller's mount (a container sees "/"). */
function ancestors(mount: string, group: string): string[] {
  const dirs: string[] = [];
  let g = path.posix.normalize(group);
  for (;;) {
    dirs.push(path.join(mount, g));
    if (g === '/' || g === '.') return dirs;
    g = path.posix.dirname(g);
  }
}

/** Whole CPUs this process may use: at least 1, at most the cores it sees. */
export function availableCpus(read: ReadFile = readOrNull, cores = os.availableParallelism()): number {
  const limit = cgroupCpuLimit(read);
  return Math.max(1, Math.min(cores, limit === null ? cores : Math.ceil(limit)));
}
