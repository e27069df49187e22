// The destinations of every account as the create path and the writers use them
// (DestinationDirectory), over the records in our object storage: `capture` checks that an id
// names an enabled destination of the account, `open` gives a client for writing with the
// opened secret. Clients are kept per destination and version (updated_at), so an edit or a
// rotated secret takes effect at the next write and unchanged destinations reuse connections.
import { AppError, ValidationError } from '@pixelfarm/errors';
import { NetworkGuard } from '@pixelfarm/egress';
import type { StorageDriver } from '@pixelfarm/storage';
import { DestinationError, type DestinationDirectory, type DestinationRef } from './destination';
import { DestinationEgress } from './destination-egress';
import { DestinationStore, type DestinationRecord } from './destination-store';
import { SecretBox, SecretBoxError } from './secret-box';
import { S3DestinationTarget, type DestinationConnection } from './s3-destination-target';
import { roleCredentials, type AwsWriterSettings } from './aws-role-credentials';

/** The destinations part of the process configuration (destinations.config.ts: DESTINATIONS_*). */
export interface DestinationSettings {
  /** Base64 AES-256 keys (DESTINATIONS_KEY), the sealing key first; empty when destinations are off. */
  keys: readonly string[];
  /** True when the keys are the public development key (DESTINATIONS_KEY unset, development API key). */
  usingDevKey: boolean;
  /** SDK attempts per request to a destination (DESTINATION_ATTEMPTS). */
  attempts: number;
  /** Connect timeout and longest request to a destination, in ms (DESTINATION_TIMEOUT_MS). */
  timeoutMs: number;
  /** Most destinations one account may have (DESTINATIONS_PER_ACCOUNT). */
  perAccount: number;
  /** This server's AWS identity for aws_s3 destinations (their roles trust it); none: aws_s3 is off. */
  aws?: AwsWriterSettings;
}

/** Storage destinations are off on this server (DESTINATIONS_KEY unset): 403, the operator's choice, not a fault. */
export class DestinationsOffError extends AppError {
  readonly code = 'DESTINATIONS_OFF';
  readonly status = 403;
  constructor() {
    super('Storage destinations are off on this server: its operator has not set DESTINATIONS_KEY');
  }
}

export interface StoredDestinationDirectoryDeps {
  store: DestinationStore;
  /** Opens sealed secrets; null when destinations are off. */
  box: SecretBox | null;
  egress: DestinationEgress;
  /** This server's AWS identity for aws_s3 destinations, when it has one. */
  aws?: AwsWriterSettings;
  /** SDK attempts per request (DESTINATION_ATTEMPTS). */
  attempts: number;
  /** Connect timeout and longest request, in ms (DESTINATION_TIMEOUT_MS). */
  timeoutMs: number;
}

interface CachedTarget {
  updatedAt: string;
  target: Promise<S3DestinationTarget>;
}

export class StoredDestinationDirectory implements DestinationDirectory {
  private readonly targets = new Map<string, CachedTarget>();
  /** Replaced clients, closed once the writes they may still carry are over. */
  private readonly retiring = new Map<NodeJS.Timeout, Promise<S3DestinationTarget>>();
  private closing?: Promise<void>;

  constructor(private readonly deps: StoredDestinationDirectoryDeps) {}

  /** Whether destinations are on (DESTINATIONS_KEY, or the development key). */
  get enabled(): boolean {
    return this.deps.box !== null;
  }

  async capture(account: string, id: string): Promise<DestinationRef> {
    if (!this.deps.box) throw new DestinationsOffError();
    const record = await this.deps.store.get(account, id);
    if (!record || !record.enabled) {
      throw new ValidationError(`storage_destination_id ${JSON.stringify(id)} is not an enabled storage destination of this account`);
    }
    return { id: record.id, keep_copy: record.keep_copy };
  }

  async open(account: string, id: string): Promise<S3DestinationTarget> {
    if (this.closing) throw new DestinationError('The destination directory is closed');
    if (!this.deps.box) throw new DestinationError('Storage destinations are off on this server (DESTINATIONS_KEY is unset)');
    const record = await this.deps.store.get(account, id);
    const cacheKey = `${account}/${id}`;
    if (!record || !record.enabled) {
      this.forget(account, id);
      throw new DestinationError(`Storage destination ${id} was ${record ? 'disabled' : 'deleted'}`);
    }
    const cached = this.targets.get(cacheKey);
    if (cached?.updatedAt === record.updated_at) return cached.target;
    this.forget(account, id);
    const target = this.connect(record, record.role_arn ? null : this.openSecret(record));
    this.targets.set(cacheKey, { updatedAt: record.updated_at, target });
    target.catch(() => {
      if (this.targets.get(cacheKey)?.target === target) this.targets.delete(cacheKey);
    });
    return target;
  }

  /** Why the endpoint breaks the egress policy before any DNS is asked (shape, http), or null. */
  endpointProblem(endpoint: string | null): string | null {
    return this.deps.egress.endpointProblem(endpoint);
  }

  /** The secret sealed for the account's destination `id`, to store. Throws DestinationsOffError when destinations are off. */
  sealSecret(secret: string, account: string, id: string): string {
    if (!this.deps.box) throw new DestinationsOffError();
    return this.deps.box.seal(secret, account, id);
  }

  /** The destination's secret access key. Throws DestinationError when it cannot be opened (its key was dropped from DESTINATIONS_KEY). */
  openSecret(record: DestinationRecord): string {
    if (!this.deps.box) throw new DestinationsOffError();
    try {
      return this.deps.box.open(record.sealed_secret, record.account, record.id);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      throw new DestinationError(`Storage destination ${record.id}: its secret cannot be opened (${err.message}); save its secret_access_key again`);
    }
  }

  /**
   * A client for these settings, after the egress policy's checks (the shape of the endpoint,
   * then every address of its host). Not kept: the caller closes it. The connection test uses it
   * for settings not saved yet. Throws DestinationError (EgressRefusedError) when refused.
   */
  async connect(connection: DestinationConnection, secretAccessKey: string | null): Promise<S3DestinationTarget> {
    const options = { egress: this.deps.egress, attempts: this.deps.attempts, timeoutMs: this.deps.timeoutMs };
    if (connection.role_arn) return this.connectRole(connection, connection.role_arn, options);
    const problem = this.deps.egress.endpointProblem(connection.endpoint);
    if (problem) throw new DestinationError(problem);
    // An AWS destination's hosts are checked on every connection by the agents' lookup.
    if (connection.endpoint) await this.deps.egress.checkHost(new URL(connection.endpoint).hostname);
    return new S3DestinationTarget(connection, { accessKeyId: connection.access_key_id, secretAccessKey: secretAccessKey ?? '' }, options);
  }

  /** An aws_s3 destination: its role's temporary credentials, at AWS' S3 (or DESTINATIONS_AWS_S3_ENDPOINT). */
  private async connectRole(connection: DestinationConnection, roleArn: string, options: ConstructorParameters<typeof S3DestinationTarget>[2]): Promise<S3DestinationTarget> {
    const aws = this.deps.aws;
    if (!aws) throw new DestinationError('AWS S3 destinations are off on this server: its operator has not set DESTINATIONS_AWS_WRITER_ROLE_ARN');
    for (const endpoint of [aws.stsEndpoint, aws.s3Endpoint]) {
      if (!endpoint) continue;
      const problem = this.deps.egress.endpointProblem(endpoint);
      if (problem) throw new DestinationError(problem);
      await this.deps.egress.checkHost(new URL(endpoint).hostname);
    }
    const requestHandler = { ...this.deps.egress.agents(), connectionTimeout: this.deps.timeoutMs, requestTimeout: this.deps.timeoutMs, throwOnRequestTimeout: true };
    const role = roleCredentials({ settings: aws, account: connection.account, destinationId: connection.id, roleArn, region: connection.region, requestHandler, attempts: this.deps.attempts });
    const at = aws.s3Endpoint ? { endpoint: new URL(aws.s3Endpoint).origin, force_path_style: true } : {};
    return new S3DestinationTarget({ ...connection, ...at }, role.provider, options, role.close);
  }

  /** Drops the kept client of a destination (after it was changed or deleted); its writes in flight finish first. */
  forget(account: string, id: string): void {
    const key = `${account}/${id}`;
    const cached = this.targets.get(key);
    if (!cached) return;
    this.targets.delete(key);
    // A write may still be under way on it: close it after the longest one can take.
    const timer = setTimeout(() => {
      this.retiring.delete(timer);
      void cached.target.then((t) => t.close(), () => {});
    }, this.deps.timeoutMs * (this.deps.attempts + 1));
    timer.unref();
    this.retiring.set(timer, cached.target);
  }

  /** Idempotent: closes every kept client, once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const all = [...this.targets.values()].map((c) => c.target);
      for (const [timer, target] of this.retiring) {
        clearTimeout(timer);
        all.push(target);
      }
      this.targets.clear();
      this.retiring.clear();
      await Promise.all(all.map((t) => t.then((c) => c.close(), () => {})));
    })();
    return this.closing;
  }
}

/** The directory the API and the worker build from their configuration, over our object storage. */
export function createDestinationDirectory(
  storage: StorageDriver,
  settings: DestinationSettings,
  urlAllowlist: readonly string[],
): StoredDestinationDirectory {
  return new StoredDestinationDirectory({
    store: new DestinationStore(storage),
    box: settings.keys.length > 0 ? new SecretBox(settings.keys) : null,
    egress: new DestinationEgress(new NetworkGuard(urlAllowlist)),
    aws: settings.aws,
    attempts: settings.attempts,
    timeoutMs: settings.timeoutMs,
  });
}
