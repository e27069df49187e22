// One open storage destination: an S3 client of its own (the destination's endpoint, region,
// addressing and credentials), reaching the store only through the egress policy's agents.
// The SDK retries transient faults with backoff (DESTINATION_ATTEMPTS); what still fails is a
// DestinationError whose message says what failed, without a secret.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DestinationError, type DestinationTarget, type StorageDestination } from './destination';
import type { DestinationEgress } from './destination-egress';
import { describeFailure, type FailureContext } from './destination-failure';
import { RoleAssumptionError, type SigningCredentials, type SigningCredentialsProvider } from './aws-role-credentials';

/** What a client needs of a destination: where it is and who to sign as (the secret comes apart). */
export type DestinationConnection = Pick<StorageDestination, 'id' | 'account' | 'endpoint' | 'region' | 'force_path_style' | 'bucket' | 'prefix' | 'access_key_id' | 'role_arn'>;

/** A request to a destination failed for good; `reason` says what, in words for its owner. */
export class DestinationRequestError extends DestinationError {
  constructor(
    readonly reason: string,
    destinationId: string,
    options?: { cause?: unknown },
  ) {
    super(`Storage destination ${destinationId}: ${reason}`, options);
    this.name = 'DestinationRequestError';
  }
}

export interface S3TargetOptions {
  egress: DestinationEgress;
  /** SDK attempts per request, retried with backoff (DESTINATION_ATTEMPTS). */
  attempts: number;
  /** Connect timeout and longest request to the store (DESTINATION_TIMEOUT_MS). */
  timeoutMs: number;
}

export class S3DestinationTarget implements DestinationTarget {
  readonly id: string;
  readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly context: FailureContext;

  /**
   * @param credentials the destination's keys, or a provider of a role's temporary ones
   * @param release closes what the credentials hold (a role's STS client) with this target
   */
  constructor(
    connection: DestinationConnection,
    credentials: SigningCredentials | SigningCredentialsProvider,
    options: S3TargetOptions,
    private readonly release: () => void = () => {},
  ) {
    this.id = connection.id;
    this.bucket = connection.bucket;
    this.prefix = connection.prefix;
    this.context = {
      bucket: connection.bucket,
      region: connection.region,
      host: connection.endpoint ? new URL(connection.endpoint).host : `s3.${connection.region}.amazonaws.com`,
    };
    this.client = new S3Client({
      endpoint: connection.endpoint ?? undefined,
      region: connection.region,
      forcePathStyle: connection.force_path_style,
      credentials,
      maxAttempts: options.attempts,
      // Checksums only where S3 requires them: several S3-compatible stores refuse the
      // flexible-checksum headers the SDK sends by default since 3.729.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        ...options.egress.agents(),
        connectionTimeout: options.timeoutMs,
        requestTimeout: options.timeoutMs,
        throwOnRequestTimeout: true,
      },
    });
  }

  key(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.call(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType })));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || (err.$metadata?.httpStatusCode === 404 && err.name !== 'NoSuchBucket'))) return null;
      throw this.failure(err);
    }
  }

  async delete(key: string): Promise<void> {
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /** Closes the client's connections; requests still in flight fail. */
  close(): void {
    this.client.destroy();
    this.release();
  }

  private async call(request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
    } catch (err) {
      throw this.failure(err);
    }
  }

  private failure(err: unknown): DestinationRequestError {
    const reason = err instanceof RoleAssumptionError ? err.reason : describeFailure(err, this.context);
    return new DestinationRequestError(reason, this.id, { cause: err });
  }
}
