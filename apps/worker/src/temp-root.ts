// A private temporary directory per worker process, for the browser profiles Playwright creates
// in os.tmpdir(). A worker killed with SIGKILL cannot clean up after itself, so every start
// also sweeps the directories of workers that are no longer alive.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'pixelfarm-worker-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface TempRoot {
  dir: string;
  /** Roots of dead workers that could not be removed now (the next start tries again). */
  leftovers: { dir: string; error: string }[];
  /**
   * Removes this process's root. Never throws: the browser may still be writing its profile as
   * it exits (ENOTEMPTY), and a worker that drained cleanly must not fail its exit over that.
   * Returns the error instead; the next start on this machine sweeps the directory.
   */
  release(): Error | undefined;
}

/** Removes temp roots of dead workers, then creates this process's root and makes it os.tmpdir(). */
export function claimTempRoot(base = os.tmpdir(), remove: (dir: string) => void = removeDir): TempRoot {
  const leftovers: TempRoot['leftovers'] = [];
  for (const name of fs.readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      const dir = path.join(base, name);
      try {
        // A killed worker's browser may still be writing its profile while it exits (ENOTEMPTY),
        // or another worker may be sweeping the same root: retry, and never fail the start on it.
        remove(dir);
      } catch (err) {
        leftovers.push({ dir, error: (err as Error).message });
      }
    }
  }
  const dir = fs.mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
  // os.tmpdir() reads TMPDIR on every call: Playwright's profile directories now land here.
  process.env.TMPDIR = dir;
  return {
    dir,
    leftovers,
    release() {
      try {
        remove(dir);
        return undefined;
      } catch (err) {
        return err as Error;
      }
    },
  };
}

function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}
