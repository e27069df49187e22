// Wraps any storage driver to time every operation and count failures, for the storage
// latency and error metrics; the driver itself stays free of metrics code.
import type { ListOptions, ObjectInfo, StorageDriver, StoredObject } from './storage-driver';

export type StorageOperation = 'put' | 'get' | 'stream' | 'exists' | 'head' | 'delete' | 'deletePrefix' | 'list' | 'ping';

export interface StorageObserver {
  observe(operation: StorageOperation, seconds: number, ok: boolean): void;
}

export class InstrumentedDriver implements StorageDriver {
  readonly name: string;

  constructor(
    private readonly inner: StorageDriver,
    private readonly observer: StorageObserver,
  ) {
    this.name = inner.name;
  }

  private async timed<T>(operation: StorageOperation, call: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    let ok = false;
    try {
      const result = await call();
      ok = true;
      return result;
    } finally {
      this.observer.observe(operation, Number(process.hrtime.bigint() - start) / 1e9, ok);
    }
  }

  put(key: string, body: Buffer, contentType: string): Promise<void> {
    return this.timed('put', () => this.inner.put(key, body, contentType));
  }
  get(key: string): Promise<Buffer | null> {
    return this.timed('get', () => this.inner.get(key));
  }
  stream(key: string): Promise<StoredObject | null> {
    return this.timed('stream', () => this.inner.stream(key));
  }
  exists(key: string): Promise<boolean> {
    return this.timed('exists', () => this.inner.exists(key));
  }
  head(key: string): Promise<ObjectInfo | null> {
    return this.timed('head', () => this.inner.head(key));
  }
  delete(key: string): Promise<void> {
    return this.timed('delete', () => this.inner.delete(key));
  }
  deletePrefix(prefix: string): Promise<number> {
    return this.timed('deletePrefix', () => this.inner.deletePrefix(prefix));
  }
  list(prefix: string, options?: ListOptions): Promise<string[]> {
    return this.timed('list', () => this.inner.list(prefix, options));
  }
  ping(): Promise<void> {
    return this.timed('ping', () => this.inner.ping());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
