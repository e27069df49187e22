// hcti's storage providers (management-api/storage-destinations, "Provider settings"): which
// connection fields each takes and where its S3 API answers. A destination keeps its provider and
// the fields hcti names; writes go through the endpoint these give, so every provider is an
// S3-compatible store to the rest of the code.

export const STORAGE_PROVIDERS = [
  'aws_s3',
  'cloudflare_r2',
  'backblaze_b2',
  'digitalocean_spaces',
  'wasabi',
  'google_cloud_storage',
  'other_s3_compatible',
] as const;

export type StorageProvider = (typeof STORAGE_PROVIDERS)[number];

/** The connection fields beside provider, bucket and key_prefix that a provider may be sent. */
export type ConnectionField = 'region' | 'role_arn' | 'access_key_id' | 'secret_access_key' | 'retain_secret_access_key' | 'cloudflare_account_id' | 'cloudflare_jurisdiction' | 'endpoint' | 'force_path_style';

interface ProviderSpec {
  /** The `provider` label of answers (hcti's display name). */
  label: string;
  required: readonly ConnectionField[];
  optional: readonly ConnectionField[];
}

const KEYS: readonly ConnectionField[] = ['access_key_id', 'secret_access_key', 'retain_secret_access_key'];

export const PROVIDERS: Readonly<Record<StorageProvider, ProviderSpec>> = {
  aws_s3: { label: 'Amazon S3', required: ['region', 'role_arn'], optional: [] },
  cloudflare_r2: { label: 'Cloudflare R2', required: ['cloudflare_account_id'], optional: [...KEYS, 'cloudflare_jurisdiction'] },
  backblaze_b2: { label: 'Backblaze B2', required: ['region'], optional: KEYS },
  digitalocean_spaces: { label: 'DigitalOcean Spaces', required: ['region'], optional: KEYS },
  wasabi: { label: 'Wasabi', required: ['region'], optional: KEYS },
  google_cloud_storage: { label: 'Google Cloud Storage', required: [], optional: KEYS },
  other_s3_compatible: { label: 'S3-compatible', required: ['endpoint'], optional: [...KEYS, 'region', 'force_path_style'] },
};

export function isStorageProvider(name: unknown): name is StorageProvider {
  return typeof name === 'string' && (STORAGE_PROVIDERS as readonly string[]).includes(name);
}

/** Where the provider's S3 API answers, its signing region and addressing (other_s3_compatible brings its own). */
export function providerEndpoint(
  provider: Exclude<StorageProvider, 'other_s3_compatible' | 'aws_s3'>,
  c: { region: string | null; cloudflare_account_id: string | null; cloudflare_jurisdiction: string | null },
): { endpoint: string; region: string; force_path_style: boolean } {
  switch (provider) {
    case 'cloudflare_r2': {
      const jurisdiction = c.cloudflare_jurisdiction ? `${c.cloudflare_jurisdiction}.` : '';
      return { endpoint: `https://${c.cloudflare_account_id}.${jurisdiction}r2.cloudflarestorage.com`, region: 'auto', force_path_style: true };
    }
    case 'backblaze_b2':
      return { endpoint: `https://s3.${c.region}.backblazeb2.com`, region: c.region!, force_path_style: false };
    case 'digitalocean_spaces':
      return { endpoint: `https://${c.region}.digitaloceanspaces.com`, region: c.region!, force_path_style: false };
    case 'wasabi':
      return { endpoint: `https://s3.${c.region}.wasabisys.com`, region: c.region!, force_path_style: false };
    case 'google_cloud_storage':
      return { endpoint: 'https://storage.googleapis.com', region: 'auto', force_path_style: true };
  }
}
