// API keys an account made, in our own object storage: `accounts/<account>/api-keys/<id>.json`
// holds a key's settings and the SHA-256 of its secret (never the secret itself), and
// `api-key-ids/<api_id>.json` names the account and key an API id belongs to, which is how a
// request's Basic credentials find their key.
import type { StorageDriver } from '@pixelfarm/storage';
import type { Permission } from '../http/permissions';

export interface ApiKeyRecord {
  /** "ak-<uuid>": the id management requests name. */
  id: string;
  /** The account (an API_KEYS id) the key acts for. */
  account: string;
  /** The Basic username. */
  api_id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  all_future_permissions: boolean;
  permissions: Permission[];
  created_at: string;
  updated_at: string;
  /** Hex SHA-256 of the secret. */
  secret_sha256: string;
}

const ID = /^ak-[0-9a-f-]{36}$/;
const API_ID = /^[0-9a-f-]{36}$/;

const keys = {
  all: (account: string) => `accounts/${account}/api-keys/`,
  one: (account: string, id: string) => `accounts/${account}/api-keys/${id}.json`,
  byApiId: (apiId: string) => `api-key-ids/${apiId}.json`,
};

export class ApiKeyStore {
  constructor(private readonly storage: StorageDriver) {}

  async save(record: ApiKeyRecord): Promise<void> {
    await this.storage.put(keys.one(record.account, record.id), Buffer.from(JSON.stringify(record)), 'application/json');
  }

  /** Records the key's API id: written once, before the key itself. */
  async index(record: ApiKeyRecord): Promise<void> {
    const entry = { account: record.account, id: record.id };
    await this.storage.put(keys.byApiId(record.api_id), Buffer.from(JSON.stringify(entry)), 'application/json');
  }

  async get(account: string, id: string): Promise<ApiKeyRecord | null> {
    if (!ID.test(id)) return null;
    const raw = await this.storage.get(keys.one(account, id));
    return raw ? (JSON.parse(raw.toString('utf8')) as ApiKeyRecord) : null;
  }

  /** The key an API id names, or null. */
  async byApiId(apiId: string): Promise<ApiKeyRecord | null> {
    if (!API_ID.test(apiId)) return null;
    const raw = await this.storage.get(keys.byApiId(apiId));
    if (!raw) return null;
    const { account, id } = JSON.parse(raw.toString('utf8')) as { account: string; id: string };
    return this.get(account, id);
  }

  /** Every key of the account, disabled ones too. */
  async list(account: string): Promise<ApiKeyRecord[]> {
    const found = (await this.storage.list(keys.all(account))).filter((k) => k.endsWith('.json'));
    const raw = await Promise.all(found.map((k) => this.storage.get(k)));
    return raw.filter((b): b is Buffer => b !== null).map((b) => JSON.parse(b.toString('utf8')) as ApiKeyRecord);
  }
}
