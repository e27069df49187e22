// Picks the storage driver named by configuration.
import { FsDriver } from './fs.driver';
import { S3Driver, type S3DriverOptions } from './s3.driver';
import type { StorageDriver } from './storage-driver';

export type StorageOptions = { driver: 'fs'; dir: string } | { driver: 's3'; s3: S3DriverOptions };

export function createStorage(options: StorageOptions): StorageDriver {
  return options.driver === 'fs' ? new FsDriver(options.dir) : new S3Driver(options.s3);
}
