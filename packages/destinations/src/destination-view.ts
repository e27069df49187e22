// A storage destination as answered, in hcti's shape: `enabled`, `hcti_storage_disabled`, a
// display `provider` and the nested `connection_info` (every field, null where the provider
// has none), the last connection test, never the secret. One schema documents it; viewOf builds it.
import { z } from 'zod';
import type { StorageDestination } from './destination';
import { PROVIDERS, STORAGE_PROVIDERS } from './destination-providers';

export const destinationView = z.object({
  id: z.string().meta({ description: 'sd-<uuid>: the storage_destination_id images name', examples: ['sd-0f8e6a52-3c1d-4b7e-9a2f-5d6c7b8a9e0f'] }),
  name: z.string(),
  enabled: z.boolean(),
  hcti_storage_disabled: z.boolean().meta({ description: "true: images are kept only in your bucket, without this service's copy" }),
  provider: z.string().meta({ description: 'Display name of the provider; connection_info.provider is the identifier' }),
  connection_info: z.object({
    provider: z.enum(STORAGE_PROVIDERS),
    bucket: z.string(),
    key_prefix: z.string().nullable(),
    region: z.string().nullable(),
    role_arn: z.string().nullable(),
    access_key_id: z.string().nullable(),
    cloudflare_account_id: z.string().nullable(),
    cloudflare_jurisdiction: z.string().nullable(),
    endpoint: z.string().nullable(),
    force_path_style: z.boolean().nullable(),
  }),
  last_tested_at: z.string().nullable(),
  last_test_succeeded: z.boolean().nullable(),
  last_test_error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export type DestinationView = z.output<typeof destinationView>;

export function viewOf(d: StorageDestination): DestinationView {
  const keyed = d.provider !== 'aws_s3';
  const custom = d.provider === 'other_s3_compatible';
  return {
    id: d.id,
    name: d.name,
    enabled: d.enabled,
    hcti_storage_disabled: !d.keep_copy,
    provider: PROVIDERS[d.provider].label,
    connection_info: {
      provider: d.provider,
      bucket: d.bucket,
      key_prefix: d.prefix || null,
      region: d.provider === 'cloudflare_r2' || d.provider === 'google_cloud_storage' ? null : d.region,
      role_arn: d.role_arn,
      access_key_id: keyed ? d.access_key_id : null,
      cloudflare_account_id: d.cloudflare_account_id,
      cloudflare_jurisdiction: d.cloudflare_jurisdiction,
      // A destination saved through the flat shape without endpoint signs with keys at AWS' own.
      endpoint: custom ? (d.endpoint ?? `https://s3.${d.region}.amazonaws.com`) : null,
      force_path_style: custom ? d.force_path_style : null,
    },
    last_tested_at: d.last_tested_at,
    last_test_succeeded: d.last_test_succeeded,
    last_test_error: d.last_test_error,
    created_at: d.created_at,
    updated_at: d.updated_at,
  };
}
