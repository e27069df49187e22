import { availableCpus, cgroupCpuLimit, type ReadFile } from './cpu-budget';

const files = (map: Record<string, string>): ReadFile => (file) => map[file] ?? null;

describe('CPU budget from the cgroup', () => {
  it('reads a cgroup v2 quota (a container limited to 1.5 CPUs)', () => {
    const read = files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '150000 100000\n' });
    expect(cgroupCpuLimit(read)).toBe(1.5);
    expect(availableCpus(read, 64)).toBe(2);
  });

  it('takes the tightest quota of a nested v2 group and its parents', () => {
    const read = files({
      '/proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
      '/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': 'max 100000',
      '/sys/fs/cgroup/kubepods/pod1/cpu.max': '300000 100000',
      '/sys/fs/cgroup/kubepods/cpu.max': '800000 100000',
    });
    expect(availableCpus(read, 16)).toBe(3);
  });

  it('reads a cgroup v1 CFS quota', () => {
    const read = files({
      '/proc/self/cgroup': '4:memory:/x\n1:cpu,cpuacct:/docker/abc\n',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '200000',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000',
    });
    expect(availableCpus(read, 32)).toBe(2);
  });

  it('uses the cores it sees when there is no quota, and never more', () => {
    expect(availableCpus(files({ '/proc/self/cgroup': '1:cpu:/\n', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }), 8)).toBe(8);
    expect(availableCpus(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '6400000 100000' }), 4)).toBe(4);
    expect(availableCpus(files({}), 2)).toBe(2);
  });

  it('reads this machine without failing', () => {
    expect(availableCpus()).toBeGreaterThanOrEqual(1);
  });
});
