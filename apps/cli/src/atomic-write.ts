// Files appear whole or not at all: written to a temporary name in the same directory,
// fsync'd, then renamed over the target (rename is atomic within a filesystem). A run killed
// mid-write leaves only a dot-file that the next run removes, never a truncated image.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Temporary files start with this; output names never start with a dot (see sanitizeName). */
export const TMP_PREFIX = '.pixelfarm-';

export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `${TMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.promises.open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      // On disk before the rename, so the name never points at an empty file after a crash.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/** Removes temporary files left by a killed run in `dir` (one run per output directory at a time). */
export async function removeStaleTemp(dir: string): Promise<number> {
  const names = await fs.promises.readdir(dir);
  const stale = names.filter((n) => n.startsWith(TMP_PREFIX) && n.endsWith('.tmp'));
  await Promise.all(stale.map((n) => fs.promises.rm(path.join(dir, n), { force: true })));
  return stale.length;
}
