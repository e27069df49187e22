// Bodies of storage destinations in hcti's shape (management-api/storage-destinations): a name,
// `disabled`, `hcti_storage_disabled` and a nested `connection_info` naming its `provider`.
// Values are normalised as hcti does (trimmed; regions and Cloudflare ids lower-cased; prefixes
// and endpoints without their outer slashes), so what a client reads back compares equal to
// what it sent. The secret is either sent or explicitly retained, never implied.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import type { StorageDestination } from './destination';
import { BUCKET, DEFAULT_DESTINATION_REGION, DESTINATION_NAME_MAX, KEY_ID, prefixProblem, REGION, type DestinationSettingsDraft } from './destination-body.schema';
import { endpointShapeProblem } from './destination-egress';
import { PROVIDERS, providerEndpoint, STORAGE_PROVIDERS, type ConnectionField } from './destination-providers';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/;
const CLOUDFLARE_ACCOUNT = /^[a-f0-9]{32}$/;
const DESTINATION_NAME_MIN = 3;

const text = z.string({ error: (iss) => `${iss.path?.join('.') ?? 'field'} must be a string` }).max(2048);
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const connectionInfoSchema = z.strictObject(
  {
    provider: z.enum(STORAGE_PROVIDERS, { error: `connection_info.provider must be one of ${STORAGE_PROVIDERS.join(', ')}` }),
    bucket: text.meta({ description: 'An existing bucket (or Space): it is never created' }),
    key_prefix: optional(text).meta({ description: 'Folder-like prefix of the object keys; null: the bucket root' }),
    region: optional(text).meta({ description: 'aws_s3, backblaze_b2, digitalocean_spaces, wasabi: required; other_s3_compatible: default us-east-1' }),
    role_arn: optional(text).meta({ description: 'aws_s3: your IAM role, which trusts writer_role_arn with your external_id' }),
    access_key_id: optional(text).meta({ description: 'Every provider but aws_s3 (google_cloud_storage: an HMAC id starting GOOG)' }),
    secret_access_key: optional(text).meta({ description: 'Required on create and whenever it is not retained; never returned' }),
    retain_secret_access_key: optional(z.boolean({ error: 'connection_info.retain_secret_access_key must be true, false or null' })).meta({
      description: 'Update only: true keeps the stored secret (same provider and access_key_id, no secret_access_key)',
    }),
    cloudflare_account_id: optional(text).meta({ description: 'cloudflare_r2: 32 hexadecimal characters' }),
    cloudflare_jurisdiction: optional(text).meta({ description: 'cloudflare_r2: eu, fedramp or null' }),
    endpoint: optional(text).meta({ description: 'other_s3_compatible: an https origin without path, query or credentials' }),
    force_path_style: optional(z.boolean({ error: 'connection_info.force_path_style must be true, false or null' })).meta({
      description: 'other_s3_compatible: bucket in the path (default true)',
    }),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: connection_info.${iss.keys.join(', connection_info.')}` : undefined) },
);

/** POST /v1/storage-destinations and POST /v1/storage-destinations/{id}: the whole configuration. */
export const destinationRequestSchema = z.strictObject(
  {
    name: z
      .string({ error: (iss) => (iss.input === undefined ? 'name is required' : 'name must be a string') })
      .trim()
      .min(DESTINATION_NAME_MIN, `name must be ${DESTINATION_NAME_MIN} to ${DESTINATION_NAME_MAX} characters`)
      .max(DESTINATION_NAME_MAX, `name must be ${DESTINATION_NAME_MIN} to ${DESTINATION_NAME_MAX} characters`),
    disabled: optional(z.boolean({ error: 'disabled must be true, false or null' })).meta({ description: 'true saves it disabled (default false)' }),
    hcti_storage_disabled: optional(z.boolean({ error: 'hcti_storage_disabled must be true, false or null' })).meta({
      description: "true: images saved here are kept only in your bucket, without this service's copy or URL (default false)",
    }),
    connection_info: connectionInfoSchema,
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: ${iss.keys.join(', ')}` : undefined) },
);

export type DestinationRequest = z.output<typeof destinationRequestSchema>;

/** What a request asks for: the settings, and the secret it sends or keeps. */
export interface RequestedDestination {
  draft: DestinationSettingsDraft;
  /** The new secret; null when it is retained, or for aws_s3 (a role, no secret). */
  secret: string | null;
  /** retain_secret_access_key: true, checked against the destination it replaces. */
  retained: boolean;
}

/** Whether a body is in hcti's shape (it names connection_info) rather than the flat one. */
export function isConnectionInfoBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'connection_info' in body;
}

/**
 * The settings a body in hcti's shape asks for. `current` is the destination it replaces (none on
 * create): retaining its secret needs the same provider and access key id. Throws ValidationError
 * naming the first field that is wrong.
 */
export function requestedDestination(body: unknown, current?: Pick<StorageDestination, 'provider' | 'access_key_id'>): RequestedDestination {
  const result = destinationRequestSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ValidationError(!field || issue.message.includes(field) || issue.code === 'unrecognized_keys' ? issue.message : `${field}: ${issue.message}`);
  }
  const { name, disabled, hcti_storage_disabled, connection_info: c } = result.data;
  const spec = PROVIDERS[c.provider];
  const invalid = (field: string, rule: string) => new ValidationError(`connection_info.${field} ${rule}`);
  const allowed = new Set<ConnectionField>([...spec.required, ...spec.optional]);
  for (const [field, value] of Object.entries(c)) {
    if (['provider', 'bucket', 'key_prefix'].includes(field) || value === null || value === undefined) continue;
    if (!allowed.has(field as ConnectionField)) throw invalid(field, `does not apply to ${c.provider}`);
  }
  const trimmed = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);
  for (const field of spec.required) if (trimmed(c[field] as string | null | undefined) === null) throw invalid(field, `is required for ${c.provider}`);

  const bucket = c.bucket.trim();
  if (!BUCKET.test(bucket)) throw invalid('bucket', 'must be 3 to 63 lowercase letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit');
  const prefix = (c.key_prefix ?? '').trim().replace(/^\/+|\/+$/g, '');
  const prefixIssue = prefixProblem(prefix);
  if (prefixIssue) throw invalid('key_prefix', prefixIssue.replace(/^prefix /, ''));
  const region = trimmed(c.region)?.toLowerCase() ?? null;
  if (region !== null && !REGION.test(region)) throw invalid('region', 'must be a region name such as us-east-1');

  const draft: DestinationSettingsDraft = {
    name,
    provider: c.provider,
    role_arn: null,
    cloudflare_account_id: null,
    cloudflare_jurisdiction: null,
    endpoint: null,
    region: region ?? DEFAULT_DESTINATION_REGION,
    force_path_style: false,
    bucket,
    prefix,
    access_key_id: '',
    keep_copy: !(hcti_storage_disabled ?? false),
    enabled: !(disabled ?? false),
  };
  if (c.provider === 'aws_s3') {
    draft.role_arn = trimmed(c.role_arn)!;
    if (!ROLE_ARN.test(draft.role_arn)) throw invalid('role_arn', 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/HctiImageStorage');
    if (/[*?]/.test(bucket + prefix)) throw invalid('bucket', 'and key_prefix cannot hold IAM wildcards (* or ?)');
    return { draft, secret: null, retained: false };
  }

  if (c.provider === 'other_s3_compatible') {
    const endpoint = trimmed(c.endpoint)!.replace(/\/+$/, '');
    const shape = endpointShapeProblem(endpoint);
    if (shape) throw invalid('endpoint', shape.replace(/^endpoint /, ''));
    draft.endpoint = new URL(endpoint).origin;
    draft.force_path_style = c.force_path_style ?? true;
  } else {
    if (c.provider === 'cloudflare_r2') {
      draft.cloudflare_account_id = trimmed(c.cloudflare_account_id)!.toLowerCase();
      if (!CLOUDFLARE_ACCOUNT.test(draft.cloudflare_account_id)) throw invalid('cloudflare_account_id', 'must be 32 hexadecimal characters');
      const jurisdiction = trimmed(c.cloudflare_jurisdiction)?.toLowerCase() ?? null;
      if (jurisdiction !== null && jurisdiction !== 'eu' && jurisdiction !== 'fedramp') throw invalid('cloudflare_jurisdiction', 'must be eu, fedramp or null');
      draft.cloudflare_jurisdiction = jurisdiction;
    }
    Object.assign(draft, providerEndpoint(c.provider, { region, cloudflare_account_id: draft.cloudflare_account_id, cloudflare_jurisdiction: draft.cloudflare_jurisdiction }));
  }

  const accessKeyId = trimmed(c.access_key_id);
  if (accessKeyId === null) throw invalid('access_key_id', `is required for ${c.provider}`);
  if (!KEY_ID.test(accessKeyId) || accessKeyId.length > 256) throw invalid('access_key_id', 'must be printable ASCII without spaces, at most 256 characters');
  if (c.provider === 'google_cloud_storage' && !accessKeyId.startsWith('GOOG')) throw invalid('access_key_id', 'must be a Google Cloud Storage HMAC access id, starting with GOOG');
  draft.access_key_id = accessKeyId;

  const retained = c.retain_secret_access_key === true;
  const secret = c.secret_access_key ?? null;
  if (retained) {
    if (secret !== null) throw invalid('retain_secret_access_key', 'is true and secret_access_key is sent: send one of them');
    if (!current) throw invalid('retain_secret_access_key', 'applies to updates only: send secret_access_key');
    if (current.provider !== draft.provider || current.access_key_id !== accessKeyId || current.access_key_id === '') {
      throw invalid('retain_secret_access_key', 'keeps a secret only with the same provider and access_key_id: send secret_access_key');
    }
    return { draft, secret: null, retained: true };
  }
  if (secret === null) throw invalid('secret_access_key', 'is required (or retain_secret_access_key: true, to keep the stored one)');
  if (!secret.trim()) throw invalid('secret_access_key', 'must not be empty or blank');
  if (secret.trim().length > 256) throw invalid('secret_access_key', 'is longer than 256 characters');
  return { draft, secret: secret.trim(), retained: false };
}
