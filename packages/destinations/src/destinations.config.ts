// The destinations package's configuration: the keys that seal accounts' bucket secrets (none:
// destinations are off) and the limits of talking to those buckets.
import { z } from 'zod';
import { defineFragment, httpUrl, int } from '@pixelfarm/env';
import type { DestinationSettings } from './destination-directory';
import { DEV_DESTINATIONS_KEY, parseDestinationKeys } from './secret-box';

export type { DestinationSettings };

/** Whether the server runs with the development API key: then a public development key seals too. */
export interface DestinationsContext {
  development: boolean;
}

export const destinationsConfig = defineFragment({
  env: {
    /**
     * AES-256 keys that seal the secret access keys of storage destinations: base64 of 32 random
     * bytes (`openssl rand -base64 32`), comma-separated; the first seals, every one opens, so a
     * key is rotated by listing the new one first. Unset: storage destinations are off, unless the
     * server runs with the development API key (then a public development key seals). Default unset.
     */
    DESTINATIONS_KEY: z.string().optional(),
    /** SDK attempts of one request to a storage destination (transient faults retry with backoff). Default 3. */
    DESTINATION_ATTEMPTS: int(3, 1, 10),
    /** Connect timeout and longest single request to a storage destination. Default 10 s. */
    DESTINATION_TIMEOUT_MS: int(10_000, 100, 300_000),
    /** Most storage destinations one account may have. Default 25. */
    DESTINATIONS_PER_ACCOUNT: int(25, 1, 10_000),
    /**
     * The IAM role whose credentials write to aws_s3 destinations: the principal customers' roles
     * trust (GET /v1/storage-destinations/aws-external-id answers it). Unset: aws_s3 destinations and
     * that route are refused (403). Default unset.
     */
    DESTINATIONS_AWS_WRITER_ROLE_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/pixelfarm-writer')
      .optional(),
    /** STS endpoint this server assumes aws_s3 destinations' roles through (a VPC endpoint, say). Default AWS' regional one. */
    DESTINATIONS_AWS_STS_ENDPOINT: httpUrl.optional(),
    /** S3 endpoint of aws_s3 destinations (a VPC endpoint, say); path-style addressing then. Default AWS' regional one. */
    DESTINATIONS_AWS_S3_ENDPOINT: httpUrl.optional(),
    /** Keys of the writer identity, both or neither; unset: the AWS SDK's own chain (instance role, IRSA…). Never logged. */
    DESTINATIONS_AWS_ACCESS_KEY_ID: z.string().optional(),
    DESTINATIONS_AWS_SECRET_ACCESS_KEY: z.string().optional(),
    /** What an account's external id starts with: the rest is its API id. Default `pixelfarm:`. */
    DESTINATIONS_AWS_EXTERNAL_ID_PREFIX: z.string().regex(/^[\w+=,.@:/-]{1,64}$/, 'must be 1-64 of letters, digits and + = , . @ : / - _').default('pixelfarm:'),
  },
  build(e, context: DestinationsContext, problems): DestinationSettings {
    if (!e.DESTINATIONS_AWS_ACCESS_KEY_ID !== !e.DESTINATIONS_AWS_SECRET_ACCESS_KEY) {
      problems.push('DESTINATIONS_AWS_ACCESS_KEY_ID/DESTINATIONS_AWS_SECRET_ACCESS_KEY: set both or neither');
    }
    let keys: string[] = context.development ? [DEV_DESTINATIONS_KEY] : [];
    if (e.DESTINATIONS_KEY) {
      try {
        keys = parseDestinationKeys(e.DESTINATIONS_KEY);
      } catch (err) {
        problems.push(`DESTINATIONS_KEY: ${(err as Error).message}`);
      }
    }
    return {
      keys,
      usingDevKey: !e.DESTINATIONS_KEY && context.development,
      attempts: e.DESTINATION_ATTEMPTS,
      timeoutMs: e.DESTINATION_TIMEOUT_MS,
      perAccount: e.DESTINATIONS_PER_ACCOUNT,
      aws: e.DESTINATIONS_AWS_WRITER_ROLE_ARN
        ? {
            writerRoleArn: e.DESTINATIONS_AWS_WRITER_ROLE_ARN,
            externalIdPrefix: e.DESTINATIONS_AWS_EXTERNAL_ID_PREFIX,
            stsEndpoint: e.DESTINATIONS_AWS_STS_ENDPOINT,
            s3Endpoint: e.DESTINATIONS_AWS_S3_ENDPOINT,
            credentials:
              e.DESTINATIONS_AWS_ACCESS_KEY_ID && e.DESTINATIONS_AWS_SECRET_ACCESS_KEY
                ? { accessKeyId: e.DESTINATIONS_AWS_ACCESS_KEY_ID, secretAccessKey: e.DESTINATIONS_AWS_SECRET_ACCESS_KEY }
                : undefined,
          }
        : undefined,
    };
  },
});
