// S3 storage driver: any S3-compatible store (AWS, MinIO, s3rver) through @aws-sdk/client-s3.
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { UnavailableError } from '@pixelfarm/errors';
import { assertSafeKey, type ListOptions, type ObjectInfo, type StorageDriver, type StoredObject } from './storage-driver';

export interface S3DriverOptions {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Endpoint in presigned URLs handed to clients (SERVE_MODE=redirect); the driver itself uses `endpoint`. */
  publicEndpoint?: string;
  /** SDK attempts per call (transient faults retry with backoff). */
  maxAttempts: number;
}

export class S3Driver implements StorageDriver {
  readonly name = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3DriverOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      maxAttempts: options.maxAttempts,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
    });
  }

  /**
   * Sends one command. The SDK already retried transient faults with backoff; what still fails
   * means the store is down for now, which callers see as 503 (API) or a retried job (worker).
   */
  private async call<T>(request: () => Promise<T>, notFoundIsNull = false): Promise<T | null> {
    try {
      return await request();
    } catch (err) {
      if (notFoundIsNull && isNotFound(err)) return null;
      if (err instanceof S3ServiceException && (err.$metadata?.httpStatusCode ?? 500) < 500 && !isNotFound(err)) throw err;
      throw new UnavailableError('The object store is unavailable, please retry', { cause: err });
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertSafeKey(key);
    await this.call(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType })));
  }

  async get(key: string): Promise<Buffer | null> {
    const obj = await this.stream(key);
    if (!obj) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of obj.body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  async stream(key: string): Promise<StoredObject | null> {
    assertSafeKey(key);
    const res = await this.call(() => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })), true);
    if (!res) return null;
    return {
      body: res.Body as Readable,
      size: res.ContentLength ?? 0,
      contentType: res.ContentType ?? 'application/octet-stream',
    };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertSafeKey(key);
    const res = await this.call(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })), true);
    return res ? { size: res.ContentLength ?? 0, contentType: res.ContentType ?? 'application/octet-stream' } : null;
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.call(() => this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
      );
    }
    return keys.length;
  }

  /**
   * Pages with ListObjectsV2 through the SDK's paginator, which follows the opaque continuation
   * tokens; StartAfter begins the listing after a key.
   */
  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    const { startAfter, limit } = options;
    if (limit !== undefined && limit <= 0) return [];
    const keys: string[] = [];
    const pages = paginateListObjectsV2(
      // S3 answers at most 1,000 keys per page whatever is asked.
      { client: this.client, pageSize: limit === undefined ? 1000 : Math.min(1000, limit) },
      { Bucket: this.bucket, Prefix: prefix, StartAfter: startAfter },
    );
    await this.call(async () => {
      for await (const page of pages) {
        for (const obj of page.Contents ?? []) if (obj.Key) keys.push(obj.Key);
        if (limit !== undefined && keys.length >= limit) break;
      }
    });
    keys.sort();
    return limit === undefined ? keys : keys.slice(0, limit);
  }

  async ping(): Promise<void> {
    await this.call(() => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function isNotFound(err: unknown): boolean {
  if (err instanceof S3ServiceException) {
    return err.$metadata?.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound';
  }
  return false;
}
