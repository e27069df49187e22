// The storage package's configuration: which driver keeps the objects (a directory or an
// S3-compatible bucket) and how stored images reach clients (streamed or redirected).
import path from 'node:path';
import { z } from 'zod';
import { bool, defineFragment, httpUrl, int } from '@pixelfarm/env';
import type { StorageOptions } from './create-storage';

/** How GET /v1/image serves stored objects. */
export interface ServeConfig {
  /** `stream` through the API, or `redirect` (302 to a presigned S3 URL). */
  mode: 'stream' | 'redirect';
  /** Lifetime of a presigned redirect URL in seconds. */
  redirectTtlS: number;
}

/** The driver's options (createStorage takes the slice as it is) and the serving mode. */
export type StorageConfig = StorageOptions & { serve: ServeConfig };

export const storageConfig = defineFragment({
  env: {
    STORAGE_DRIVER: z.enum(['fs', 's3']).default('fs'),
    STORAGE_DIR: z.string().default('./data'),
    S3_ENDPOINT: httpUrl.optional(),
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: z.string().optional(),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: bool(true),
    /** Endpoint clients reach the store at, for redirects (SERVE_MODE=redirect). Default: S3_ENDPOINT. */
    S3_PUBLIC_ENDPOINT: httpUrl.optional(),
    /** Attempts per call to the store (the AWS SDK retries transient faults with backoff). Default 3. */
    S3_MAX_ATTEMPTS: int(3, 1, 10),
    /** How GET /v1/image serves stored objects: `stream` through the API, or `redirect` (302 to a presigned S3 URL). */
    SERVE_MODE: z.enum(['stream', 'redirect']).default('stream'),
    /** Lifetime of a presigned redirect URL in seconds. Default 1 hour. */
    SERVE_REDIRECT_TTL_S: int(3600, 60, 7 * 24 * 3600),
  },
  build(e, _context: undefined, problems): StorageConfig {
    const serve: ServeConfig = { mode: e.SERVE_MODE, redirectTtlS: e.SERVE_REDIRECT_TTL_S };
    if (e.SERVE_MODE === 'redirect' && e.STORAGE_DRIVER !== 's3') {
      problems.push('SERVE_MODE: redirect needs STORAGE_DRIVER=s3 (a filesystem has no URL to redirect to)');
    }
    if (e.STORAGE_DRIVER === 'fs') return { driver: 'fs', dir: path.resolve(e.STORAGE_DIR), serve };
    if (!e.S3_BUCKET) problems.push('S3_BUCKET: required when STORAGE_DRIVER=s3');
    if (!!e.S3_ACCESS_KEY_ID !== !!e.S3_SECRET_ACCESS_KEY) problems.push('S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY: set both or neither');
    return {
      driver: 's3',
      s3: {
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        bucket: e.S3_BUCKET ?? '',
        accessKeyId: e.S3_ACCESS_KEY_ID,
        secretAccessKey: e.S3_SECRET_ACCESS_KEY,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        publicEndpoint: e.S3_PUBLIC_ENDPOINT ?? e.S3_ENDPOINT,
        maxAttempts: e.S3_MAX_ATTEMPTS,
      },
      serve,
    };
  },
});
