// Templates and every version of them, in object storage under the owning account: an edit
// writes a new version object and never changes an old one, so images keep their template.
import type { StorageDriver } from './storage-driver';

export interface TemplateVersionRecord<TOptions = Record<string, unknown>> {
  /** "t-<uuid>". */
  template_id: string;
  /** Millisecond timestamp of this version; strictly increasing per template. */
  version: number;
  account: string;
  name: string | null;
  description: string | null;
  html: string;
  css: string | null;
  /** Default render options merged under a create's own options. */
  options: TOptions;
  /** When the template's first version was made. */
  created_at: string;
  /** When this version was made. */
  updated_at: string;
}

// Versions are ms timestamps padded to 13 digits, so lexical order is version order.
const versionName = (version: number) => `${String(version).padStart(13, '0')}.json`;

export const templateKeys = {
  all: (account: string) => `accounts/${account}/templates/`,
  versions: (account: string, templateId: string) => `accounts/${account}/templates/${templateId}/`,
  version: (account: string, templateId: string, version: number) =>
    `accounts/${account}/templates/${templateId}/${versionName(version)}`,
};

export class TemplateStore {
  constructor(private readonly storage: StorageDriver) {}

  async save<T>(record: TemplateVersionRecord<T>): Promise<void> {
    const key = templateKeys.version(record.account, record.template_id, record.version);
    await this.storage.put(key, Buffer.from(JSON.stringify(record)), 'application/json');
  }

  async get<T>(account: string, templateId: string, version: number): Promise<TemplateVersionRecord<T> | null> {
    if (!Number.isSafeInteger(version) || version < 0) return null;
    const raw = await this.storage.get(templateKeys.version(account, templateId, version));
    return raw ? (JSON.parse(raw.toString('utf8')) as TemplateVersionRecord<T>) : null;
  }

  /** Version numbers of the template, oldest first; empty when the account has no such template. */
  async versions(account: string, templateId: string): Promise<number[]> {
    const prefix = templateKeys.versions(account, templateId);
    return (await this.storage.list(prefix)).map((k) => Number(k.slice(prefix.length, -'.json'.length))).filter(Number.isSafeInteger);
  }

  async latest<T>(account: string, templateId: string): Promise<TemplateVersionRecord<T> | null> {
    const versions = await this.versions(account, templateId);
    return versions.length ? this.get<T>(account, templateId, versions[versions.length - 1]!) : null;
  }

  /** Removes the template with every version of it; true if it had any. */
  async delete(account: string, templateId: string): Promise<boolean> {
    return (await this.storage.deletePrefix(templateKeys.versions(account, templateId))) > 0;
  }

  /** The latest version of every template of the account, most recently edited first. */
  async listLatest<T>(account: string): Promise<TemplateVersionRecord<T>[]> {
    const prefix = templateKeys.all(account);
    const latestKey = new Map<string, string>();
    for (const key of await this.storage.list(prefix)) {
      const templateId = key.slice(prefix.length, key.indexOf('/', prefix.length));
      latestKey.set(templateId, key); // keys are sorted, so the last one seen is the newest version
    }
    const raw = await Promise.all([...latestKey.values()].map((k) => this.storage.get(k)));
    return raw
      .filter((b): b is Buffer => b !== null)
      .map((b) => JSON.parse(b.toString('utf8')) as TemplateVersionRecord<T>)
      .sort((a, b) => b.version - a.version);
  }
}
