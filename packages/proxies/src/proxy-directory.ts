// Accounts' proxies as the create path and the worker use them: `capture` checks that a create's
// proxy_id names an enabled proxy of its account; `open` gives the worker the proxy with its
// password opened, at render time, so an edit, a disable or a delete applies to the next render.
// Passwords are sealed with DESTINATIONS_KEY like destinations' secrets (bound to the account,
// the proxy and the kind of record); without that key, account proxies are off.
import { AppError, RenderInputError, ValidationError } from '@pixelfarm/errors';
import { NetworkGuard, parseAddress } from '@pixelfarm/egress';
import { SecretBox, SecretBoxError } from '@pixelfarm/destinations';
import type { StorageDriver } from '@pixelfarm/storage';
import type { AccountProxyRecord, AccountUpstream } from './account-proxy';
import { ProxyStore } from './proxy-store';

/** Account proxies are off on this server (DESTINATIONS_KEY unset): 403, the operator's choice, not a fault. */
export class ProxiesOffError extends AppError {
  readonly code = 'PROXIES_OFF';
  readonly status = 403;
  constructor() {
    super("Proxies are off on this server: its operator has not set DESTINATIONS_KEY, which seals proxies' passwords");
  }
}

export interface ProxyDirectoryDeps {
  store: ProxyStore;
  /** Seals and opens passwords; null when proxies are off. */
  box: SecretBox | null;
  guard: Pick<NetworkGuard, 'addressAllowed'>;
}

export class ProxyDirectory {
  constructor(private readonly deps: ProxyDirectoryDeps) {}

  get enabled(): boolean {
    return this.deps.box !== null;
  }

  /** Throws ProxiesOffError when proxies are off. */
  ensureOn(): void {
    if (!this.deps.box) throw new ProxiesOffError();
  }

  /**
   * Why a proxy at this host is refused before any DNS is asked (an address the egress policy
   * refuses), or null. A name is judged on every connection instead, where DNS is asked.
   */
  hostProblem(host: string): string | null {
    if (parseAddress(host) === null || this.deps.guard.addressAllowed(host)) return null;
    return `url: the proxy's address ${host} is refused by the egress policy (private, loopback or reserved; URL_ALLOWLIST can open it)`;
  }

  /** The password sealed for the account's proxy `id`, to store. */
  seal(password: string, account: string, id: string): string {
    this.ensureOn();
    return this.deps.box!.seal(password, account, id);
  }

  /** A create's proxy_id: the account must have an enabled proxy of that id. Throws a 400 otherwise. */
  async capture(account: string, id: string): Promise<void> {
    this.ensureOn();
    const record = await this.deps.store.get(account, id);
    if (!record || !record.enabled) throw new ValidationError(`proxy_id ${JSON.stringify(id)} is not an enabled proxy of this account`);
  }

  /** The proxy for a render, its password opened. Throws RenderInputError when it was deleted or disabled since the create. */
  async open(account: string, id: string): Promise<AccountUpstream> {
    if (!this.deps.box) throw new RenderInputError('Proxies are off on this server (DESTINATIONS_KEY is unset)');
    const record = await this.deps.store.get(account, id);
    if (!record || !record.enabled) throw new RenderInputError(`proxy_id ${JSON.stringify(id)} was ${record ? 'disabled' : 'deleted'} before the render`);
    const url = new URL(record.url);
    return {
      id: record.id,
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: record.port,
      ...(record.username !== null ? { username: record.username, password: this.password(record) } : {}),
      bypassHosts: record.bypass_hosts,
      guarded: true,
    };
  }

  private password(record: AccountProxyRecord): string {
    try {
      return record.sealed_password === null ? '' : this.deps.box!.open(record.sealed_password, record.account, record.id);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      throw new RenderInputError(`proxy_id ${JSON.stringify(record.id)}: its password cannot be opened (${err.message}); save the proxy's password again`);
    }
  }
}

/** The directory the API and the worker build from their configuration, over our object storage. */
export function createProxyDirectory(storage: StorageDriver, sealingKeys: readonly string[], urlAllowlist: readonly string[]): ProxyDirectory {
  return new ProxyDirectory({
    store: new ProxyStore(storage),
    box: sealingKeys.length > 0 ? new SecretBox(sealingKeys, 'proxy') : null,
    guard: new NetworkGuard(urlAllowlist),
  });
}
