// Storage destinations of an account (issue #20): create, list, read, update, delete, enable and
// disable. Saving runs the connection test first (hcti's "Test connection"), so a destination
// that cannot be written is never saved; the secret access key is sealed before it is stored and
// never leaves in an answer. Deleting removes our record only, never an object of the bucket.
import { NotFoundError, UnprocessableError, ValidationError } from '@pixelfarm/errors';
import {
  DestinationError,
  DestinationRequestError,
  DestinationsOffError,
  destinationCreateSchema,
  destinationUpdateSchema,
  draftOf,
  newDestinationId,
  parseDestinationBody,
  runConnectionTest,
  type ConnectionTestResult,
  type DestinationRecord,
  type DestinationSettingsDraft,
  type DestinationStore,
  type StorageDestination,
  type StoredDestinationDirectory,
} from '@pixelfarm/destinations';

export interface DestinationServiceDeps {
  store: DestinationStore;
  directory: Pick<StoredDestinationDirectory, 'enabled' | 'endpointProblem' | 'connect' | 'forget' | 'sealSecret' | 'openSecret'>;
  /** Most destinations one account may have (DESTINATIONS_PER_ACCOUNT). */
  perAccount: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** A saved destination, with the connection test its save ran (absent when nothing needed testing). */
export type SavedDestination = StorageDestination & { connection_test?: ConnectionTestResult };

/** Settings whose change means a new test: where the bucket is and who signs. */
const CONNECTION_FIELDS = ['endpoint', 'region', 'force_path_style', 'bucket', 'prefix', 'access_key_id'] as const;

export class DestinationService {
  constructor(private readonly deps: DestinationServiceDeps) {}

  async create(account: string, body: unknown): Promise<SavedDestination> {
    this.ensureOn();
    const parsed = parseDestinationBody(destinationCreateSchema, body);
    const draft = draftOf(parsed);
    const count = await this.deps.store.count(account);
    if (count >= this.deps.perAccount) {
      throw new UnprocessableError(`This account has ${count} storage destinations, the most this server allows (DESTINATIONS_PER_ACCOUNT): delete one first`);
    }
    const id = newDestinationId();
    const test = await this.test(id, draft, parsed.secret_access_key);
    const at = this.timestamp();
    const record: DestinationRecord = {
      id,
      account,
      ...draft,
      created_at: at,
      updated_at: at,
      sealed_secret: this.deps.directory.sealSecret(parsed.secret_access_key, account, id),
    };
    await this.deps.store.save(record);
    return { ...view(record), connection_test: test };
  }

  async list(account: string): Promise<{ data: StorageDestination[] }> {
    this.ensureOn();
    return { data: (await this.deps.store.list(account)).map(view) };
  }

  async get(account: string, id: string): Promise<StorageDestination> {
    this.ensureOn();
    return view(await this.find(account, id));
  }

  /**
   * Fields not sent keep their value, the secret included. A change of where the bucket is or
   * who signs (or a new secret) is tested before it is saved; the secret is sealed again with
   * the current key, which is how a DESTINATIONS_KEY rotation reaches a destination.
   */
  async update(account: string, id: string, body: unknown): Promise<SavedDestination> {
    this.ensureOn();
    const parsed = parseDestinationBody(destinationUpdateSchema, body);
    const current = await this.find(account, id);
    const { secret_access_key: newSecret, ...changes } = parsed;
    const draft: DestinationSettingsDraft = { ...settingsOf(current), ...changes, endpoint: changes.endpoint === undefined ? current.endpoint : changes.endpoint };
    if (draft.endpoint === null && changes.endpoint === null && changes.region === undefined && current.endpoint !== null) {
      throw new ValidationError('region is required for AWS S3 (a destination without endpoint)');
    }
    const retest = newSecret !== undefined || CONNECTION_FIELDS.some((f) => draft[f] !== current[f]);
    let secret = newSecret;
    if (secret === undefined) {
      try {
        secret = this.deps.directory.openSecret(current);
      } catch (err) {
        if (!(err instanceof DestinationError)) throw err;
        // Its key was dropped from DESTINATIONS_KEY: what needs no secret (a rename) may still be saved.
        if (retest) throw new ValidationError(err.message);
      }
    }
    const test = retest ? await this.test(id, draft, secret!) : undefined;
    const record: DestinationRecord = {
      ...current,
      ...draft,
      updated_at: this.nextUpdate(current),
      sealed_secret: secret !== undefined ? this.deps.directory.sealSecret(secret, account, id) : current.sealed_secret,
    };
    await this.deps.store.save(record);
    this.deps.directory.forget(account, id);
    return test ? { ...view(record), connection_test: test } : view(record);
  }

  async setEnabled(account: string, id: string, enabled: boolean): Promise<StorageDestination> {
    this.ensureOn();
    const current = await this.find(account, id);
    if (current.enabled === enabled) return view(current);
    const record: DestinationRecord = { ...current, enabled, updated_at: this.nextUpdate(current) };
    await this.deps.store.save(record);
    this.deps.directory.forget(account, id);
    return view(record);
  }

  /** Removes the settings and the sealed secret; the bucket and its objects are not touched. */
  async delete(account: string, id: string): Promise<{ id: string; status: 'deleted' }> {
    this.ensureOn();
    await this.find(account, id);
    await this.deps.store.delete(account, id);
    this.deps.directory.forget(account, id);
    return { id, status: 'deleted' };
  }

  private ensureOn(): void {
    if (!this.deps.directory.enabled) throw new DestinationsOffError();
  }

  private async find(account: string, id: string): Promise<DestinationRecord> {
    const record = await this.deps.store.get(account, id);
    if (!record) throw new NotFoundError('Storage destination not found');
    return record;
  }

  /** The connection test of unsaved settings: a 400 naming what failed, before anything is saved. */
  private async test(id: string, draft: DestinationSettingsDraft, secret: string): Promise<ConnectionTestResult> {
    const problem = this.deps.directory.endpointProblem(draft.endpoint);
    if (problem) throw new ValidationError(problem);
    let target;
    try {
      target = await this.deps.directory.connect({ id, ...draft }, secret);
      return await runConnectionTest(target);
    } catch (err) {
      if (!(err instanceof DestinationError)) throw err;
      throw new ValidationError(`Connection test failed: ${err instanceof DestinationRequestError ? err.reason : err.message}`);
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

function settingsOf(record: DestinationRecord): DestinationSettingsDraft {
  const { name, endpoint, region, force_path_style, bucket, prefix, access_key_id, keep_copy, enabled } = record;
  return { name, endpoint, region, force_path_style, bucket, prefix, access_key_id, keep_copy, enabled };
}

/** What an answer shows of a destination: everything but the sealed secret. */
function view(record: DestinationRecord): StorageDestination {
  const { sealed_secret: _sealed, ...destination } = record;
  return destination;
}
