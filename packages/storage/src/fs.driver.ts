// Filesystem storage driver: the single-machine default, objects as files under one directory.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { assertSafeKey, contentTypeFor, type ListOptions, type ObjectInfo, type StorageDriver, type StoredObject } from './storage-driver';

export class FsDriver implements StorageDriver {
  readonly name = 'fs';

  constructor(private readonly root: string) {}

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, body: Buffer): Promise<void> {
    const target = this.file(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    // Write then rename so a concurrent reader never sees a half-written file.
    const tmp = `${target}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, target);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.file(key));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async stream(key: string): Promise<StoredObject | null> {
    const file = this.file(key);
    try {
      const handle = await fs.open(file, 'r');
      const { size } = await handle.stat();
      return { body: createReadStream('', { fd: handle, autoClose: true }), size, contentType: contentTypeFor(key) };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await fs.access(this.file(key));
      return true;
    } catch {
      return false;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const stat = await fs.stat(this.file(key));
      return stat.isFile() ? { size: stat.size, contentType: contentTypeFor(key) } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    await Promise.all(keys.map((k) => this.delete(k)));
    // Remove the now-empty directory of a prefix such as "images/<id>/".
    if (prefix.endsWith('/')) await fs.rm(this.file(prefix.slice(0, -1)), { recursive: true, force: true });
    return keys.length;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const base = dirPart ? this.file(dirPart) : this.root;
    let entries: string[];
    try {
      entries = (await fs.readdir(base, { recursive: true, withFileTypes: true }))
        .filter((d) => d.isFile() && !d.name.endsWith('.tmp'))
        .map((d) => path.relative(this.root, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const { startAfter, limit } = options;
    if (limit !== undefined && limit <= 0) return [];
    const keys = entries.filter((k) => k.startsWith(prefix) && (startAfter === undefined || k > startAfter)).sort();
    return limit === undefined ? keys : keys.slice(0, limit);
  }

  async ping(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    await fs.access(this.root, fs.constants.W_OK);
  }

  async close(): Promise<void> {}
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
