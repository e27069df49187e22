// Accounts' own upstream proxies (hcti management-api/proxies): create, read, replace, list and
// delete. A save replaces the whole configuration; the password is sealed before it is stored,
// kept only when the update asks for it (retain_password with the same username), and never
// leaves in an answer. Another account's proxy is a 404, and deleting is idempotent.
import { NotFoundError, UnprocessableError, ValidationError } from '@pixelfarm/errors';
import { newAccountProxyId } from '@pixelfarm/schemas';
import { pageOf, parseListQuery, type ListPage } from '../http/list-page';
import { parseProxyBody, type AccountProxy, type AccountProxyRecord, type ProxyDirectory, type ProxySettingsDraft, type ProxyStore } from '@pixelfarm/proxies';

export interface ProxyServiceDeps {
  store: ProxyStore;
  directory: Pick<ProxyDirectory, 'ensureOn' | 'hostProblem' | 'seal'>;
  /** Most proxies one account may have (PROXIES_PER_ACCOUNT). */
  perAccount: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class ProxyService {
  constructor(private readonly deps: ProxyServiceDeps) {}

  async create(account: string, body: unknown): Promise<AccountProxy> {
    this.deps.directory.ensureOn();
    const draft = this.parse(body);
    if (draft.authentication && 'retain' in draft.authentication) throw new ValidationError('authentication.retain_password applies to updates only: send the password');
    const count = await this.deps.store.count(account);
    if (count >= this.deps.perAccount) {
      throw new UnprocessableError(`This account has ${count} proxies, the most this server allows (PROXIES_PER_ACCOUNT): delete one first`);
    }
    const id = newAccountProxyId();
    const at = this.timestamp();
    const record = this.recordOf(account, id, draft, null, at, at);
    await this.deps.store.save(record);
    return view(record);
  }

  async list(account: string, query: unknown): Promise<ListPage<AccountProxy>> {
    this.deps.directory.ensureOn();
    const page = parseListQuery(query);
    return pageOf(await this.deps.store.list(account), page, view);
  }

  async get(account: string, id: string): Promise<AccountProxy> {
    this.deps.directory.ensureOn();
    return view(await this.find(account, id));
  }

  /** Replaces the configuration; the stored password stays only with retain_password and the same username. */
  async update(account: string, id: string, body: unknown): Promise<AccountProxy> {
    this.deps.directory.ensureOn();
    const existing = await this.find(account, id);
    const draft = this.parse(body);
    const auth = draft.authentication;
    if (auth && 'retain' in auth && (existing.username === null || existing.username !== auth.username)) {
      throw new ValidationError(
        existing.username === null
          ? 'authentication.retain_password: this proxy has no password to keep; send one'
          : 'authentication.retain_password keeps the password only with the same username; send a password with a new username',
      );
    }
    const record = this.recordOf(account, id, draft, existing.sealed_password, existing.created_at, this.timestamp());
    await this.deps.store.save(record);
    return view(record);
  }

  /** Deleting a proxy that is already gone succeeds too (hcti: "Repeating deletion of the same proxy succeeds"). */
  async delete(account: string, id: string): Promise<void> {
    this.deps.directory.ensureOn();
    await this.deps.store.delete(account, id);
  }

  private parse(body: unknown): ProxySettingsDraft {
    const draft = parseProxyBody(body);
    const problem = this.deps.directory.hostProblem(draft.host);
    if (problem) throw new ValidationError(problem);
    return draft;
  }

  private recordOf(account: string, id: string, draft: ProxySettingsDraft, kept: string | null, createdAt: string, updatedAt: string): AccountProxyRecord {
    const auth = draft.authentication;
    return {
      id,
      account,
      name: draft.name,
      url: draft.url,
      port: draft.port,
      bypass_hosts: draft.bypass_hosts,
      username: auth ? auth.username : null,
      enabled: draft.enabled,
      created_at: createdAt,
      updated_at: updatedAt,
      sealed_password: !auth ? null : 'retain' in auth ? kept : this.deps.directory.seal(auth.password, account, id),
    };
  }

  private async find(account: string, id: string): Promise<AccountProxyRecord> {
    const record = await this.deps.store.get(account, id);
    if (!record) throw new NotFoundError(`No proxy ${JSON.stringify(id.slice(0, 64))} in this account`);
    return record;
  }

  private timestamp(): string {
    return new Date((this.deps.now ?? Date.now)()).toISOString();
  }
}

/** The answer: every field of AccountProxy, nothing else (the sealed password stays behind). */
function view(r: AccountProxyRecord): AccountProxy {
  return { id: r.id, name: r.name, url: r.url, port: r.port, bypass_hosts: r.bypass_hosts, username: r.username, enabled: r.enabled, created_at: r.created_at, updated_at: r.updated_at };
}
