// Credentials of an aws_s3 destination: its owner's IAM role, assumed through STS by this
// server's AWS identity (the writer role the role trusts) with the account's external id, so
// that one account cannot have us write with another's role (AWS' confused-deputy guard). The
// temporary credentials are kept until five minutes before they expire. STS is reached through
// the egress policy's agents, like the stores themselves.
import { AssumeRoleCommand, STSClient, STSServiceException, type STSClientConfig } from '@aws-sdk/client-sts';
import { DestinationError } from './destination';
import { describeFailure } from './destination-failure';

/** What an S3 client signs with: keys, and for a role their session token and expiry. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type SigningCredentialsProvider = () => Promise<SigningCredentials>;

/** This server's AWS side of aws_s3 destinations (DESTINATIONS_AWS_*). */
export interface AwsWriterSettings {
  /** The principal customers' roles trust (DESTINATIONS_AWS_WRITER_ROLE_ARN). */
  writerRoleArn: string;
  /** An account's external id is this followed by its API id (DESTINATIONS_AWS_EXTERNAL_ID_PREFIX). */
  externalIdPrefix: string;
  /** STS endpoint (DESTINATIONS_AWS_STS_ENDPOINT); default AWS' regional one. */
  stsEndpoint?: string;
  /** S3 endpoint of aws_s3 destinations (DESTINATIONS_AWS_S3_ENDPOINT), e.g. a VPC endpoint; default AWS' regional one. */
  s3Endpoint?: string;
  /** Keys of the writer identity (DESTINATIONS_AWS_ACCESS_KEY_ID/SECRET_ACCESS_KEY); default the AWS SDK's own chain (instance role, IRSA…). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function externalIdOf(settings: Pick<AwsWriterSettings, 'externalIdPrefix'>, account: string): string {
  return `${settings.externalIdPrefix}${account}`;
}

const REFRESH_BEFORE_MS = 5 * 60_000;

export interface RoleCredentialsOptions {
  settings: AwsWriterSettings;
  account: string;
  destinationId: string;
  roleArn: string;
  region: string;
  requestHandler: STSClientConfig['requestHandler'];
  attempts: number;
}

/** Thrown when STS refuses or cannot be reached: `reason` says what, in words for the role's owner. */
export class RoleAssumptionError extends DestinationError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'RoleAssumptionError';
  }
}

/** A credentials provider for the S3 client of one aws_s3 destination, and the STS client to close with it. */
export function roleCredentials(options: RoleCredentialsOptions): { provider: SigningCredentialsProvider; close(): void } {
  const { settings } = options;
  const sts = new STSClient({
    region: options.region,
    endpoint: settings.stsEndpoint,
    // A copy: the SDK marks the object it is given, and the configuration is frozen.
    credentials: settings.credentials && { ...settings.credentials },
    maxAttempts: options.attempts,
    requestHandler: options.requestHandler,
  });
  let current: SigningCredentials | undefined;
  let pending: Promise<SigningCredentials> | undefined;
  const assume = async (): Promise<SigningCredentials> => {
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: `pixelfarm-${options.destinationId}`.slice(0, 64),
          ExternalId: externalIdOf(settings, options.account),
        }),
      );
      const c = out.Credentials!;
      return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (err) {
      if (err instanceof STSServiceException) {
        throw new RoleAssumptionError(
          `this server may not assume ${options.roleArn} (${err.name}): its trust policy must allow ${settings.writerRoleArn} with sts:ExternalId ${externalIdOf(settings, options.account)}`,
          { cause: err },
        );
      }
      if ((err as Error)?.name === 'CredentialsProviderError') {
        throw new RoleAssumptionError('this server has no AWS credentials to assume roles with (DESTINATIONS_AWS_ACCESS_KEY_ID, or an instance or pod role)', { cause: err });
      }
      const host = settings.stsEndpoint ? new URL(settings.stsEndpoint).host : `sts.${options.region}.amazonaws.com`;
      throw new RoleAssumptionError(`assuming ${options.roleArn} failed: ${describeFailure(err, { bucket: '', region: options.region, host })}`, { cause: err });
    }
  };
  const provider: SigningCredentialsProvider = async () => {
    if (current && (!current.expiration || current.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS)) return current;
    pending ??= assume().finally(() => (pending = undefined));
    current = await pending;
    return current;
  };
  return { provider, close: () => sts.destroy() };
}
