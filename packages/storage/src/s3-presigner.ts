// Presigned GET URLs for SERVE_MODE=redirect: clients fetch images from the store directly,
// so the API only checks and signs. Signed against the endpoint clients can reach
// (S3_PUBLIC_ENDPOINT), which may differ from the one the services use inside the cluster.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertSafeKey } from './storage-driver';

export interface S3PresignerOptions {
  publicEndpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

export interface PresignOptions {
  expiresInS: number;
  /** Response headers the store sends with the object (S3 response-* overrides). */
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
}

export class S3Presigner {
  private readonly client: S3Client;

  constructor(private readonly options: S3PresignerOptions) {
    this.client = new S3Client({
      endpoint: options.publicEndpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
    });
  }

  /** Signing is local (no request to the store). */
  presignGet(key: string, opts: PresignOptions): Promise<string> {
    assertSafeKey(key);
    const command = new GetObjectCommand({
      Bucket: this.options.bucket,
      Key: key,
      ResponseContentType: opts.contentType,
      ResponseCacheControl: opts.cacheControl,
      ResponseContentDisposition: opts.contentDisposition,
    });
    return getSignedUrl(this.client, command, { expiresIn: opts.expiresInS });
  }

  close(): void {
    this.client.destroy();
  }
}
