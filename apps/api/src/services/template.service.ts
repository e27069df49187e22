// Templates of an account: create, replace (every replacement is a new version), read, list
// and delete. Records live in object storage; another account's template is simply not found.
import { NotFoundError } from '@pixelfarm/errors';
import type { TemplateStore, TemplateVersionRecord } from '@pixelfarm/storage';
import type { DestinationDirectory } from '@pixelfarm/destinations';
import { DEFINITION_FIELDS, definitionOf, isTemplateId, newTemplateId, parseTemplateBody, type createImageSchema, type TemplateOptions, type TemplatePageQuery } from '@pixelfarm/schemas';
import type { TemplateRenderer } from './template-renderer';

export type TemplateRecord = TemplateVersionRecord<TemplateOptions>;

export interface TemplateRef {
  template_id: string;
  template_version: number;
}

/**
 * One template version as hcti's clients read it: its type, id, version and times, and every
 * input of a template, null where the version does not set it.
 */
export type TemplateView = Record<string, unknown> & {
  template_type: 'html_css';
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
};

/** One page of a listing, newest version first; next_page_start is the max_version of the next page. */
export interface TemplateListing {
  data: TemplateView[];
  pagination: { next_page_start: number | null };
}

export interface TemplateServiceDeps {
  templates: TemplateStore;
  renderer: Pick<TemplateRenderer, 'check'>;
  createSchema: ReturnType<typeof createImageSchema>;
  /** A storage_destination_id a template saves must be one of the account's enabled destinations. */
  destinations: Pick<DestinationDirectory, 'capture'>;
  /** Clock, for tests. */
  now?: () => number;
}

export class TemplateService {
  constructor(private readonly deps: TemplateServiceDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async create(account: string, body: unknown): Promise<TemplateRef> {
    const parsed = await this.parse(account, body);
    const version = this.now();
    const at = new Date(version).toISOString();
    const record: TemplateRecord = { template_id: newTemplateId(), version, account, ...parsed, created_at: at, updated_at: at };
    await this.deps.templates.save(record);
    return { template_id: record.template_id, template_version: record.version };
  }

  /**
   * A new version that replaces the template as a whole, as hcti's POST /v1/template/{id} does:
   * a field the body leaves out (or sends as null) is unset in the new version.
   */
  async replace(account: string, templateId: string, body: unknown): Promise<TemplateRef> {
    const latest = await this.latest(account, templateId);
    const parsed = await this.parse(account, body);
    // Versions are ms timestamps, strictly increasing even for two edits in the same ms.
    const version = Math.max(this.now(), latest.version + 1);
    const record: TemplateRecord = {
      template_id: templateId,
      version,
      account,
      ...parsed,
      created_at: latest.created_at,
      updated_at: new Date(version).toISOString(),
    };
    await this.deps.templates.save(record);
    return { template_id: templateId, template_version: version };
  }

  /** One page of the template's versions, newest first. */
  async versions(account: string, templateId: string, page: TemplatePageQuery): Promise<TemplateListing> {
    if (!isTemplateId(templateId)) throw new NotFoundError('Template not found');
    const versions = (await this.deps.templates.versions(account, templateId)).reverse();
    if (versions.length === 0) throw new NotFoundError('Template not found');
    const { items, next } = pageOf(versions, (v) => v, page);
    const records = await Promise.all(items.map((v) => this.deps.templates.get<TemplateOptions>(account, templateId, v)));
    return { data: records.filter((r): r is TemplateRecord => r !== null).map(view), pagination: { next_page_start: next } };
  }

  /** One page of the account's templates (the latest version of each), most recently edited first. */
  async list(account: string, page: TemplatePageQuery): Promise<TemplateListing> {
    const { items, next } = pageOf(await this.deps.templates.listLatest<TemplateOptions>(account), (r) => r.version, page);
    return { data: items.map(view), pagination: { next_page_start: next } };
  }

  /** Removes the template and every version of it; images already made from it stay. */
  async delete(account: string, templateId: string): Promise<void> {
    if (!isTemplateId(templateId) || !(await this.deps.templates.delete(account, templateId))) throw new NotFoundError('Template not found');
  }

  /** The version asked for (the latest when none is given) of an account's template, or 404. */
  async find(account: string, templateId: string, version?: number): Promise<TemplateRecord> {
    if (version === undefined) return this.latest(account, templateId);
    const record = isTemplateId(templateId) ? await this.deps.templates.get<TemplateOptions>(account, templateId, version) : null;
    if (!record) throw new NotFoundError(`Template ${templateId} has no version ${version}`);
    return record;
  }

  private async latest(account: string, templateId: string): Promise<TemplateRecord> {
    const record = isTemplateId(templateId) ? await this.deps.templates.latest<TemplateOptions>(account, templateId) : null;
    if (!record) throw new NotFoundError('Template not found');
    return record;
  }

  private async parse(account: string, body: unknown) {
    const parsed = parseTemplateBody(this.deps.createSchema, body);
    this.deps.renderer.check(parsed.html, 'html');
    if (parsed.css !== null) this.deps.renderer.check(parsed.css, 'css');
    // Checked now, and again when an image is created from the template (it may be disabled by then).
    if (parsed.options.storage_destination_id !== undefined) await this.deps.destinations.capture(account, parsed.options.storage_destination_id);
    return parsed;
  }
}

function view(record: TemplateRecord): TemplateView {
  return {
    template_type: 'html_css',
    id: record.template_id,
    version: record.version,
    ...definitionOf(DEFINITION_FIELDS.template, { ...record.options, html: record.html, css: record.css, name: record.name, description: record.description }),
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

/**
 * The page of `sorted` (newest first) below page.maxVersion, and the cursor of the next page:
 * the version of this page's last entry, or null when nothing older is left.
 */
function pageOf<T>(sorted: readonly T[], versionOf: (item: T) => number, page: TemplatePageQuery): { items: T[]; next: number | null } {
  const below = page.maxVersion === undefined ? sorted : sorted.filter((item) => versionOf(item) < page.maxVersion!);
  const items = below.slice(0, page.count);
  return { items, next: below.length > items.length ? versionOf(items[items.length - 1]!) : null };
}
