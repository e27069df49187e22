// API keys an account makes itself (hcti's management-api/api-keys): create (the only answer
// that holds the secret), list, read, replace and disable. A caller hands out only what it holds
// (mayGrant), and touches a key only if it could have granted that key's permissions. Secrets are
// 32 random bytes; only their SHA-256 is stored (a random secret of that length needs no slow
// hash), and authentication compares digests in constant time. Keys are found by API id through
// a short in-process cache, so a key disabled on another replica stops working within
// API_KEY_CACHE_MS.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from '@pixelfarm/errors';
import { ALL_GRANTS, isPermission, mayGrant, PERMISSIONS, type Grants, type Permission } from '../http/permissions';
import { pageOf, parseListQuery, type ListPage } from '../http/list-page';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store';

export const API_KEY_NAME_MAX = 255;
export const API_KEY_DESCRIPTION_MAX = 2000;

export interface ApiKeyServiceDeps {
  store: ApiKeyStore;
  /** Most keys one account may have, disabled ones included (API_KEYS_PER_ACCOUNT). */
  perAccount: number;
  /** How long a key found by API id is trusted before it is read again (API_KEY_CACHE_MS). */
  cacheMs: number;
  /** API ids of the operator's keys (API_KEYS): a made key never takes one. */
  reservedApiIds: ReadonlySet<string>;
  now?: () => number;
}

/** A key as answered: its settings, never its secret or digest. */
export interface ApiKeyView {
  id: string;
  api_id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  permissions: Permission[];
  all_future_permissions: boolean;
  created_at: string;
  updated_at: string;
}

const optionalText = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string or null` })
    .max(max, `${field} is longer than ${max} characters`)
    .nullable()
    .optional();
const flag = (field: string) => z.boolean({ error: `${field} must be true or false` }).optional();

/** The body of POST /v1/api-keys and POST /v1/api-keys/{id}: the key's whole configuration. */
export const apiKeyRequestSchema = z.strictObject(
  {
    name: optionalText('name', API_KEY_NAME_MAX).meta({ description: 'Up to 255 characters; omitted, null or blank: "Key created <UTC time>"' }),
    description: optionalText('description', API_KEY_DESCRIPTION_MAX).meta({ description: 'Up to 2,000 characters; omitted, null or blank clears it' }),
    disabled: flag('disabled').meta({ description: 'true: the key cannot authenticate (default false)' }),
    all_future_permissions: flag('all_future_permissions').meta({ description: 'Every current and future permission; send permissions: [] with it (default false)' }),
    permissions: z
      .array(z.string({ error: 'permissions must hold permission names' }), { error: 'permissions is required: an array of permission names, [] for none' })
      .meta({ description: 'The complete list of permissions granted', examples: [['images:create', 'images:store']] }),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: ${iss.keys.join(', ')}` : undefined) },
);

export class ApiKeyService {
  private readonly cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();

  constructor(private readonly deps: ApiKeyServiceDeps) {}

  /** The account and grants of a made key's credentials, or undefined when they open nothing. */
  async authenticate(apiId: string, secret: string): Promise<{ account: string; grants: Grants } | undefined> {
    const record = await this.lookup(apiId);
    const given = digest(secret);
    const stored = record ? Buffer.from(record.secret_sha256, 'hex') : given;
    const match = timingSafeEqual(stored, given);
    if (!record || !match || !record.enabled) return undefined;
    return { account: record.account, grants: grantsOf(record) };
  }

  async create(account: string, caller: Grants, body: unknown): Promise<ApiKeyView & { api_key: string }> {
    const wanted = parseRequest(body);
    this.authorize(caller, wanted);
    const existing = await this.deps.store.list(account);
    if (existing.length >= this.deps.perAccount) {
      throw new UnprocessableError(`This account has ${existing.length} API keys, disabled ones included, the most this server allows (API_KEYS_PER_ACCOUNT)`);
    }
    let apiId = randomUUID();
    while (this.deps.reservedApiIds.has(apiId)) apiId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const at = new Date(this.now()).toISOString();
    const record: ApiKeyRecord = {
      id: `ak-${randomUUID()}`,
      account,
      api_id: apiId,
      ...settingsOf(wanted, at),
      created_at: at,
      updated_at: at,
      secret_sha256: digest(secret).toString('hex'),
    };
    await this.deps.store.index(record);
    await this.deps.store.save(record);
    return { ...view(record), api_key: secret };
  }

  async list(account: string, query: Record<string, unknown>): Promise<ListPage<ApiKeyView>> {
    const page = parseListQuery(query);
    const includeDisabled = booleanParam(query.include_disabled, 'include_disabled');
    const required = permissionParams(query.with_permission);
    const matching = (await this.deps.store.list(account)).filter(
      (k) => (includeDisabled || k.enabled) && required.every((p) => k.all_future_permissions || k.permissions.includes(p)),
    );
    return pageOf(matching, page, view);
  }

  async get(account: string, id: string): Promise<ApiKeyView> {
    return view(await this.find(account, id));
  }

  /** Replaces the key's settings; the secret stays. The caller must be able to grant the old and the new permissions. */
  async update(account: string, caller: Grants, id: string, body: unknown): Promise<ApiKeyView> {
    const wanted = parseRequest(body);
    const current = await this.find(account, id);
    this.authorize(caller, wanted);
    this.authorize(caller, grantsOf(current));
    const record: ApiKeyRecord = { ...current, ...settingsOf(wanted, current.created_at), updated_at: this.nextUpdate(current) };
    await this.deps.store.save(record);
    this.cache.delete(current.api_id);
    return view(record);
  }

  /** Disables the key (it stays readable and can be enabled again); disabling twice is fine. */
  async disable(account: string, caller: Grants, id: string): Promise<void> {
    const current = await this.find(account, id);
    this.authorize(caller, grantsOf(current));
    if (current.enabled) await this.deps.store.save({ ...current, enabled: false, updated_at: this.nextUpdate(current) });
    this.cache.delete(current.api_id);
  }

  private authorize(caller: Grants, target: { allFuture: boolean; permissions: Iterable<Permission> }): void {
    if (mayGrant(caller, target)) return;
    throw new ForbiddenError(
      target.allFuture
        ? 'This API key cannot grant or manage all_future_permissions: only a key with all future permissions can'
        : `This API key cannot grant or manage ${[...target.permissions].filter((p) => !mayGrant(caller, { allFuture: false, permissions: [p] })).join(', ')}: a key may only grant permissions it holds`,
    );
  }

  private async find(account: string, id: string): Promise<ApiKeyRecord> {
    const record = await this.deps.store.get(account, id);
    if (!record) throw new NotFoundError('API key not found');
    return record;
  }

  private async lookup(apiId: string): Promise<ApiKeyRecord | null> {
    const now = this.now();
    const cached = this.cache.get(apiId);
    if (cached && cached.until > now) return cached.record;
    const record = await this.deps.store.byApiId(apiId);
    if (this.deps.cacheMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(apiId, { record, until: now + this.deps.cacheMs });
    }
    return record;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private nextUpdate(current: ApiKeyRecord): string {
    return new Date(Math.max(this.now(), Date.parse(current.updated_at) + 1)).toISOString();
  }
}

interface KeyRequest {
  name: string | null;
  description: string | null;
  disabled: boolean;
  allFuture: boolean;
  permissions: Permission[];
}

function parseRequest(body: unknown): KeyRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('The request body must be a JSON object');
  const result = apiKeyRequestSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ValidationError(!field || issue.message.startsWith(String(issue.path[0])) ? issue.message : `${field}: ${issue.message}`);
  }
  const { name, description, disabled, all_future_permissions: allFuture, permissions } = result.data;
  const unknown = permissions.filter((p) => !isPermission(p));
  if (unknown.length > 0) throw new ValidationError(`Unknown permission: ${unknown.join(', ')}`);
  if (allFuture && permissions.length > 0) throw new ValidationError('Send permissions: [] with all_future_permissions: true');
  const blankToNull = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);
  return { name: blankToNull(name), description: blankToNull(description), disabled: disabled ?? false, allFuture: allFuture ?? false, permissions: [...new Set(permissions as Permission[])] };
}

/** The stored settings of a request; a key without a name is named after its creation time. */
function settingsOf(wanted: KeyRequest, createdAt: string): Pick<ApiKeyRecord, 'name' | 'description' | 'enabled' | 'all_future_permissions' | 'permissions'> {
  return {
    name: wanted.name ?? `Key created ${createdAt.slice(0, 10)} ${createdAt.slice(11, 19)}`,
    description: wanted.description,
    enabled: !wanted.disabled,
    all_future_permissions: wanted.allFuture,
    permissions: wanted.allFuture ? [] : wanted.permissions,
  };
}

function grantsOf(record: ApiKeyRecord): Grants {
  return record.all_future_permissions ? ALL_GRANTS : { allFuture: false, permissions: new Set(record.permissions) };
}

/** What answers show: the key's permissions (every current one for all-future keys), never the digest. */
function view(record: ApiKeyRecord): ApiKeyView {
  return {
    id: record.id,
    api_id: record.api_id,
    name: record.name,
    description: record.description,
    enabled: record.enabled,
    permissions: record.all_future_permissions ? [...PERMISSIONS] : record.permissions,
    all_future_permissions: record.all_future_permissions,
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function booleanParam(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ValidationError(`${name} must be true or false`);
}

function permissionParams(value: unknown): Permission[] {
  const names = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return names.map((name) => {
    if (typeof name !== 'string' || !isPermission(name)) throw new ValidationError(`with_permission: unknown permission ${String(name)}`);
    return name;
  });
}
