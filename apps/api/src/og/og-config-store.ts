// OG configurations in our object storage: the record under its account
// (`accounts/<account>/og-configs/<id>.json`) and, for the public image URL that names only a
// domain id, an index from each domain id to its account and configuration (`og-domains/<domain_id>.json`).
import { randomBytes, randomUUID } from 'node:crypto';
import { AccountRecords, type StorageDriver } from '@pixelfarm/storage';
import type { OgConfigRecord } from './og-config';

const CONFIG_ID = /^og-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOMAIN_ID = /^[0-9a-z]{20}$/;

export const newOgConfigId = (): string => `og-${randomUUID()}`;
/** 20 lowercase base-36 characters (about 100 random bits): it is public, in every page's metadata. */
export const newDomainId = (): string =>
  Array.from(randomBytes(20), (b) => (b % 36).toString(36)).join('');

export class OgConfigStore extends AccountRecords<OgConfigRecord> {
  constructor(private readonly objects: StorageDriver) {
    super(objects, 'og-configs', (id) => CONFIG_ID.test(id));
  }

  override async save(record: OgConfigRecord): Promise<void> {
    await super.save(record);
    await this.objects.put(domainKey(record.domain_id), Buffer.from(JSON.stringify({ account: record.account, id: record.id })), 'application/json');
  }

  /** Removes the configuration and its domain id. */
  async remove(record: OgConfigRecord): Promise<void> {
    await this.objects.delete(domainKey(record.domain_id));
    await super.delete(record.account, record.id);
  }

  /** The configuration a public URL's domain id names, or null. */
  async byDomain(domainId: string): Promise<OgConfigRecord | null> {
    if (!DOMAIN_ID.test(domainId)) return null;
    const raw = await this.objects.get(domainKey(domainId));
    if (!raw) return null;
    const { account, id } = JSON.parse(raw.toString('utf8')) as { account: string; id: string };
    const record = await this.get(account, id);
    return record?.domain_id === domainId ? record : null;
  }
}

function domainKey(domainId: string): string {
  return `og-domains/${domainId}.json`;
}
