// Templates of an account: create, edit (every edit is a new version), read and list. Records
// live in object storage; another account's template is simply not found.
import { NotFoundError, ValidationError } from '@pixelfarm/errors';
import type { TemplateStore, TemplateVersionRecord } from '@pixelfarm/storage';
import type { DestinationDirectory } from '@pixelfarm/destinations';
import { isTemplateId, newTemplateId, parseTemplateBody, type createImageSchema, type TemplateOptions } from '@pixelfarm/schemas';
import type { TemplateRenderer } from './template-renderer';

export type TemplateRecord = TemplateVersionRecord<TemplateOptions>;

export interface TemplateRef {
  template_id: string;
  template_version: number;
}

/** One template version as clients of the hosted API read it: its fields and render options. */
export type TemplateView = TemplateOptions & {
  id: string;
  version: number;
  name: string | null;
  description: string | null;
  html: string;
  css: string | null;
  created_at: string;
  updated_at: string;
};

export interface TemplateListing {
  data: TemplateView[];
  pagination: { next_page_start: null };
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

  /** A new version: fields not sent keep their value from the latest version. */
  async edit(account: string, templateId: string, body: unknown): Promise<TemplateRef> {
    const latest = await this.latest(account, templateId);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ValidationError('The request body must be a JSON object or form fields');
    }
    const merged = {
      ...latest.options,
      html: latest.html,
      ...(latest.css !== null ? { css: latest.css } : {}),
      name: latest.name,
      description: latest.description,
      ...body,
    };
    const parsed = await this.parse(account, merged);
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

  /** Every version of the template, newest first. */
  async versions(account: string, templateId: string): Promise<TemplateListing> {
    if (!isTemplateId(templateId)) throw new NotFoundError('Template not found');
    const versions = await this.deps.templates.versions(account, templateId);
    if (versions.length === 0) throw new NotFoundError('Template not found');
    const records = await Promise.all(versions.reverse().map((v) => this.deps.templates.get<TemplateOptions>(account, templateId, v)));
    return { data: records.filter((r): r is TemplateRecord => r !== null).map(view), pagination: { next_page_start: null } };
  }

  /** The latest version of every template of the account, most recently edited first. */
  async list(account: string): Promise<TemplateListing> {
    const records = await this.deps.templates.listLatest<TemplateOptions>(account);
    return { data: records.map(view), pagination: { next_page_start: null } };
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
    ...record.options,
    id: record.template_id,
    version: record.version,
    name: record.name,
    description: record.description,
    html: record.html,
    css: record.css,
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}
