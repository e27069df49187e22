// Storage destinations of an account, in hcti's shape (management-api/storage-destinations):
// create, list (paged, newest first), read, replace (POST {id}), change (the flat PUT, merging),
// enable, disable and delete (204, again too). Saving runs the connection test when the connection
// changed, a new secret came or the destination is enabled again: an enabled destination whose
// test fails is not saved (400 naming what failed), a disabled one is saved with the failed result.
// The secret access key is sealed before it is stored and never leaves in an answer. Deleting
// removes our record only, never an object of the bucket.
import { ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from '@pixelfarm/errors';
import {
  DestinationError,
  DestinationRequestError,
  DestinationsOffError,
  destinationCreateSchema,
  destinationUpdateSchema,
  draftOf,
  externalIdOf,
  isConnectionInfoBody,
  newDestinationId,
  parseDestinationBody,
  requestedDestination,
  runConnectionTest,
  viewOf,
  type AwsWriterSettings,
  type ConnectionTestResult,
  type DestinationRecord,
  type DestinationSettingsDraft,
  type DestinationStore,
  type DestinationView,
  type StoredDestinationDirectory,
} from '@pixelfarm/destinations';
import { pageOf, parseListQuery, type ListPage } from '../http/list-page';

export interface DestinationServiceDeps {
  store: DestinationStore;
  directory: Pick<StoredDestinationDirectory, 'enabled' | 'endpointProblem' | 'connect' | 'forget' | 'sealSecret' | 'openSecret'>;
  /** Most destinations one account may have (DESTINATIONS_PER_ACCOUNT). */
  perAccount: number;
  /** The AWS identity of this server, or undefined when none is configured. */
  aws?: Pick<AwsWriterSettings, 'writerRoleArn' | 'externalIdPrefix'>;
  /** Clock, for tests. */
  now?: () => number;
}

/** A saved destination, with the connection test its save ran (absent when nothing needed testing). */
export type SavedDestination = DestinationView & { connection_test?: ConnectionTestResult };

/** Settings whose change means a new test: where the bucket is and who signs. */
const CONNECTION_FIELDS = ['provider', 'endpoint', 'region', 'force_path_style', 'bucket', 'prefix', 'access_key_id', 'role_arn'] as const;

type TestOutcome = { ok: true; result: ConnectionTestResult } | { ok: false; error: string };

export class DestinationService {
  constructor(private readonly deps: DestinationServiceDeps) {}

  /** A new destination, in hcti's shape or the flat one. */
  async create(account: string, body: unknown): Promise<SavedDestination> {
    this.ensureOn();
    const { draft, secret } = isConnectionInfoBody(body) ? requestedDestination(body) : flatCreate(body);
    const count = await this.deps.store.count(account);
    if (count >= this.deps.perAccount) {
      throw new UnprocessableError(`This account has ${count} storage destinations, the most this server allows (DESTINATIONS_PER_ACCOUNT): delete one first`);
    }
    const id = newDestinationId();
    const test = await this.test(account, id, draft, secret);
    const at = this.timestamp();
    return this.save({ id, account, ...draft, ...testStatus(test, at), created_at: at, updated_at: at, sealed_secret: this.seal(secret, account, id) }, test);
  }

  async list(account: string, query: Record<string, unknown>): Promise<ListPage<DestinationView>> {
    this.ensureOn();
    return pageOf(await this.deps.store.list(account), parseListQuery(query), viewOf);
  }

  async get(account: string, id: string): Promise<DestinationView> {
    this.ensureOn();
    return viewOf(await this.find(account, id));
  }

  /** POST {id}: the whole configuration replaced; the secret is sent again or explicitly retained. */
  async replace(account: string, id: string, body: unknown): Promise<SavedDestination> {
    this.ensureOn();
    const current = await this.find(account, id);
    const asked = isConnectionInfoBody(body) ? requestedDestination(body, current) : { ...flatCreate(body), retained: false };
    return this.change(current, asked.draft, asked.retained ? undefined : asked.secret);
  }

  /**
   * PUT {id}, the flat shape: fields not sent keep their value, the secret included. The secret is
   * sealed again with the current key, which is how a DESTINATIONS_KEY rotation reaches a destination.
   */
  async update(account: string, id: string, body: unknown): Promise<SavedDestination> {
    this.ensureOn();
    const parsed = parseDestinationBody(destinationUpdateSchema, body);
    const current = await this.find(account, id);
    const { secret_access_key: newSecret, ...changes } = parsed;
    const draft: DestinationSettingsDraft = { ...settingsOf(current), ...changes, endpoint: changes.endpoint === undefined ? current.endpoint : changes.endpoint };
    if (changes.endpoint !== undefined || changes.access_key_id !== undefined) Object.assign(draft, { provider: 'other_s3_compatible', role_arn: null, cloudflare_account_id: null, cloudflare_jurisdiction: null });
    if (draft.endpoint === null && changes.endpoint === null && changes.region === undefined && current.endpoint !== null) {
      throw new ValidationError('region is required for AWS S3 (a destination without endpoint)');
    }
    return this.change(current, draft, newSecret);
  }

  async setEnabled(account: string, id: string, enabled: boolean): Promise<SavedDestination> {
    this.ensureOn();
    const current = await this.find(account, id);
    if (current.enabled === enabled) return viewOf(current);
    return this.change(current, { ...settingsOf(current), enabled }, undefined);
  }

  /** Removes the settings and the sealed secret; the bucket and its objects are not touched. A missing one is already gone. */
  async delete(account: string, id: string): Promise<void> {
    this.ensureOn();
    await this.deps.store.delete(account, id);
    this.deps.directory.forget(account, id);
  }

  /** hcti's aws-external-id: what a customer's IAM role trusts, for this account. */
  awsExternalId(account: string): { external_id: string; writer_role_arn: string } {
    this.ensureOn();
    if (!this.deps.aws) throw new ForbiddenError('AWS S3 destinations are off on this server: its operator has not set DESTINATIONS_AWS_WRITER_ROLE_ARN');
    return { external_id: externalIdOf(this.deps.aws, account), writer_role_arn: this.deps.aws.writerRoleArn };
  }

  /**
   * Saves new settings of a destination. `newSecret` undefined keeps the stored one. The test
   * runs when the connection changed, a secret came, or the destination is enabled again.
   */
  private async change(current: DestinationRecord, draft: DestinationSettingsDraft, newSecret: string | null | undefined): Promise<SavedDestination> {
    const keyed = draft.provider !== 'aws_s3' || draft.access_key_id !== '';
    const retest =
      (keyed && newSecret !== undefined && newSecret !== null) || CONNECTION_FIELDS.some((f) => draft[f] !== current[f]) || (draft.enabled && !current.enabled);
    let secret = keyed ? newSecret : null;
    if (secret === undefined) {
      try {
        secret = this.deps.directory.openSecret(current);
      } catch (err) {
        if (!(err instanceof DestinationError)) throw err;
        // Its key was dropped from DESTINATIONS_KEY: what needs no secret (a rename) may still be saved.
        if (retest) throw new ValidationError(err.message);
      }
    }
    const test = retest ? await this.test(current.account, current.id, draft, secret ?? null) : undefined;
    const at = this.nextUpdate(current);
    const record: DestinationRecord = {
      ...current,
      ...draft,
      ...(test ? testStatus(test, at) : {}),
      updated_at: at,
      sealed_secret: secret !== undefined ? this.seal(secret, current.account, current.id) : current.sealed_secret,
    };
    const saved = await this.save(record, test);
    this.deps.directory.forget(current.account, current.id);
    return saved;
  }

  /** Saves the record unless it is enabled and its test failed (then a 400 naming why, nothing saved). */
  private async save(record: DestinationRecord, test: TestOutcome | undefined): Promise<SavedDestination> {
    if (test && !test.ok && record.enabled) throw new ValidationError(`Connection test failed: ${test.error}`);
    await this.deps.store.save(record);
    return test?.ok ? { ...viewOf(record), connection_test: test.result } : viewOf(record);
  }

  private seal(secret: string | null, account: string, id: string): string {
    return secret === null ? '' : this.deps.directory.sealSecret(secret, account, id);
  }

  private ensureOn(): void {
    if (!this.deps.directory.enabled) throw new DestinationsOffError();
  }

  private async find(account: string, id: string): Promise<DestinationRecord> {
    const record = await this.deps.store.get(account, id);
    if (!record) throw new NotFoundError('Storage destination not found');
    return record;
  }

  /** The connection test of unsaved settings. Settings the egress policy refuses outright are a 400 at once. */
  private async test(account: string, id: string, draft: DestinationSettingsDraft, secret: string | null): Promise<TestOutcome> {
    // A 403 when this server has no AWS identity for the role to trust.
    if (draft.role_arn !== null) this.awsExternalId(account);
    const problem = this.deps.directory.endpointProblem(draft.endpoint);
    if (problem) throw new ValidationError(problem);
    let target;
    try {
      target = await this.deps.directory.connect({ id, account, ...draft }, secret);
      return { ok: true, result: await runConnectionTest(target) };
    } catch (err) {
      if (!(err instanceof DestinationError)) throw err;
      return { ok: false, error: err instanceof DestinationRequestError ? err.reason : err.message };
    } finally {
      target?.close();
    }
  }

  private timestamp(): string {
    return new Date((this.deps.now ?? Date.now)()).toISOString();
  }

  /** A later updated_at than the current one, even within its millisecond: clients are kept per updated_at. */
  private nextUpdate(current: DestinationRecord): string {
    const now = (this.deps.now ?? Date.now)();
    return new Date(Math.max(now, Date.parse(current.updated_at) + 1)).toISOString();
  }
}

/** A whole configuration in the flat shape: its settings and its secret. */
function flatCreate(body: unknown): { draft: DestinationSettingsDraft; secret: string } {
  const parsed = parseDestinationBody(destinationCreateSchema, body);
  return { draft: draftOf(parsed), secret: parsed.secret_access_key };
}

function testStatus(test: TestOutcome, at: string): Pick<DestinationRecord, 'last_tested_at' | 'last_test_succeeded' | 'last_test_error'> {
  return { last_tested_at: at, last_test_succeeded: test.ok, last_test_error: test.ok ? null : test.error };
}

function settingsOf(record: DestinationRecord): DestinationSettingsDraft {
  const { name, provider, role_arn, cloudflare_account_id, cloudflare_jurisdiction, endpoint, region, force_path_style, bucket, prefix, access_key_id, keep_copy, enabled } = record;
  return { name, provider, role_arn, cloudflare_account_id, cloudflare_jurisdiction, endpoint, region, force_path_style, bucket, prefix, access_key_id, keep_copy, enabled };
}
