import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { claimTempRoot } from './temp-root';

describe('claimTempRoot', () => {
  const saved = process.env.TMPDIR;
  afterEach(() => {
    process.env.TMPDIR = saved;
  });

  it('sweeps the temp roots of dead workers, keeps live ones, and becomes TMPDIR', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-root-test-'));
    // A pid that has certainly exited: a child we ran and waited for.
    const deadPid = spawnSync('true').pid!;
    const dead = path.join(base, `pixelfarm-worker-${deadPid}-abc`);
    const alive = path.join(base, `pixelfarm-worker-${process.ppid}-def`);
    const unrelated = path.join(base, 'something-else');
    for (const d of [dead, alive, unrelated]) fs.mkdirSync(path.join(d, 'playwright_chromiumdev_profile-x'), { recursive: true });

    const root = claimTempRoot(base);
    try {
      expect(fs.existsSync(dead)).toBe(false);
      expect(fs.existsSync(alive)).toBe(true);
      expect(fs.existsSync(unrelated)).toBe(true);
      expect(path.dirname(root.dir)).toBe(base);
      // os.tmpdir() follows TMPDIR (jest sandboxes process.env, so check the variable itself).
      expect(process.env.TMPDIR).toBe(root.dir);
    } finally {
      expect(root.release()).toBeUndefined();
      expect(fs.existsSync(root.dir)).toBe(false);
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('starts anyway when a dead worker\'s root cannot be removed yet, and reports it', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-root-test-'));
    const deadPid = spawnSync('true').pid!;
    const dead = path.join(base, `pixelfarm-worker-${deadPid}-abc`);
    fs.mkdirSync(dead);
    const root = claimTempRoot(base, () => {
      throw Object.assign(new Error(`ENOTEMPTY: directory not empty, rmdir '${dead}/Default'`), { code: 'ENOTEMPTY' });
    });
    try {
      expect(root.leftovers).toEqual([{ dir: dead, error: expect.stringContaining('ENOTEMPTY') }]);
      expect(fs.existsSync(root.dir)).toBe(true);
      expect(process.env.TMPDIR).toBe(root.dir);
      // Its own root cannot be removed either (a browser still exiting): reported, not thrown.
      expect(root.release()?.message).toContain('ENOTEMPTY');
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
