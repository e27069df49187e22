// Accounts' Open Graph image configurations (hcti management-api/og-configs): create, read,
// replace, list and delete. One configuration per website origin in an account (another is a
// 409); a templated one must name a template of the account (404 otherwise). The domain id a
// configuration gets at creation stays for its life: pages carry it in their metadata.
import { ConflictError, NotFoundError, UnprocessableError } from '@pixelfarm/errors';
import type { TemplateService } from '../services/template.service';
import { pageOf, parseListQuery, type ListPage } from '../http/list-page';
import type { OgConfig, OgConfigRecord } from './og-config';
import { parseOgConfigBody, type OgBodyContext, type OgConfigDraft } from './og-config-body';
import { newDomainId, newOgConfigId, type OgConfigStore } from './og-config-store';

export interface OgConfigServiceDeps {
  store: OgConfigStore;
  templates: Pick<TemplateService, 'find'>;
  body: OgBodyContext;
  /** Most configurations one account may have (OG_CONFIGS_PER_ACCOUNT). */
  perAccount: number;
  now?: () => number;
}

export class OgConfigService {
  constructor(private readonly deps: OgConfigServiceDeps) {}

  async create(account: string, body: unknown): Promise<OgConfig> {
    const draft = await this.parse(account, body);
    const existing = await this.deps.store.list(account);
    if (existing.length >= this.deps.perAccount) {
      throw new UnprocessableError(`This account has ${existing.length} OG configurations, the most this server allows (OG_CONFIGS_PER_ACCOUNT): delete one first`);
    }
    this.checkOrigin(existing, draft, null);
    const at = this.timestamp();
    const record: OgConfigRecord = { id: newOgConfigId(), domain_id: newDomainId(), account, ...draft, created_at: at, updated_at: at };
    await this.deps.store.save(record);
    return view(record);
  }

  async list(account: string, query: unknown): Promise<ListPage<OgConfig>> {
    const page = parseListQuery(query);
    return pageOf(await this.deps.store.list(account), page, view);
  }

  async get(account: string, id: string): Promise<OgConfig> {
    return view(await this.find(account, id));
  }

  /** Replaces the configuration: settings not sent are cleared or take their defaults. */
  async update(account: string, id: string, body: unknown): Promise<OgConfig> {
    const existing = await this.find(account, id);
    const draft = await this.parse(account, body);
    this.checkOrigin(await this.deps.store.list(account), draft, id);
    const record: OgConfigRecord = { ...existing, ...draft, updated_at: this.timestamp() };
    await this.deps.store.save(record);
    return view(record);
  }

  /** Deleting one already gone succeeds too. */
  async delete(account: string, id: string): Promise<void> {
    const record = await this.deps.store.get(account, id);
    if (record) await this.deps.store.remove(record);
  }

  private async parse(account: string, body: unknown): Promise<OgConfigDraft> {
    const draft = parseOgConfigBody(body, this.deps.body);
    if (draft.template_id !== null) {
      try {
        await this.deps.templates.find(account, draft.template_id, draft.template_version ?? undefined);
      } catch (err) {
        if (err instanceof NotFoundError) throw new NotFoundError(`template_id ${JSON.stringify(draft.template_id.slice(0, 64))}${draft.template_version ? ` version ${draft.template_version}` : ''} is not a template of this account`);
        throw err;
      }
    }
    return draft;
  }

  private checkOrigin(configs: readonly OgConfigRecord[], draft: OgConfigDraft, self: string | null): void {
    const other = configs.find((c) => c.base_url === draft.base_url && c.id !== self);
    if (other) throw new ConflictError(`${draft.base_url} has an OG configuration already (${other.id}): one configuration per website origin`);
  }

  private async find(account: string, id: string): Promise<OgConfigRecord> {
    const record = await this.deps.store.get(account, id);
    if (!record) throw new NotFoundError(`No OG configuration ${JSON.stringify(id.slice(0, 64))} in this account`);
    return record;
  }

  private timestamp(): string {
    return new Date((this.deps.now ?? Date.now)()).toISOString();
  }
}

/** The answer: the record without its account. */
function view(record: OgConfigRecord): OgConfig {
  const { account: _account, ...config } = record;
  return config;
}
