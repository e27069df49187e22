// Bodies of POST and PUT /v1/storage-destinations: one schema is the validator, the TypeScript
// type and the API document. Field names are snake_case like the rest of the API; unknown
// fields are refused. Whether the endpoint may be reached (URL_ALLOWLIST, DNS) is decided when
// the destination is tested, not here.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import type { StorageDestination } from './destination';
import { endpointShapeProblem } from './destination-egress';

export const DESTINATION_NAME_MAX = 255;
export const DESTINATION_PREFIX_MAX = 512;
/** The region of a custom endpoint that names none (most S3-compatible stores ignore it, or take us-east-1). */
export const DEFAULT_DESTINATION_REGION = 'us-east-1';

// S3's bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens, a letter or digit
// at each end; underscores too, which some S3-compatible stores allow.
export const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
// AWS' "safe characters" for object keys; `/` separates folder-like segments.
const PREFIX = /^[A-Za-z0-9!_.*'()/-]*$/;
export const REGION = /^[a-z0-9-]{1,32}$/;
// Access key ids are printable ASCII without spaces (AKIA…, R2's hex ids, B2's key ids).
export const KEY_ID = /^[\x21-\x7e]+$/;

/** Why a prefix is not a folder-like path, or null. */
export function prefixProblem(prefix: string): string | null {
  if (prefix === '') return null;
  if (!PREFIX.test(prefix)) return "prefix may use letters, digits, / and ! - _ . * ' ( ) only";
  if (prefix.startsWith('/') || prefix.endsWith('/')) return 'prefix takes no leading or trailing slash';
  if (prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'prefix must not hold empty, . or .. segments';
  return null;
}

const text = (field: string, max: number) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .max(max, `${field} is longer than ${max} characters`);

const flag = (field: string) => z.boolean({ error: `${field} must be true or false` });

const fields = {
  name: text('name', DESTINATION_NAME_MAX)
    .trim()
    .min(1, 'name must not be empty')
    .meta({ description: 'A name for you to tell destinations apart', examples: ['Marketing renders'] }),
  endpoint: text('endpoint', 512)
    .superRefine((value, ctx) => {
      const problem = endpointShapeProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => new URL(value).origin)
    .nullable()
    .meta({
      description:
        'S3-compatible endpoint, an https origin whose addresses are public (http, or a private address, only for hosts URL_ALLOWLIST opens); null or absent for AWS S3',
      examples: ['https://s3.eu-central-003.backblazeb2.com'],
    }),
  region: text('region', 32)
    .regex(REGION, 'region must be a region name such as us-east-1')
    .meta({ description: `Region of the bucket (signing region); required for AWS, default ${DEFAULT_DESTINATION_REGION} with an endpoint`, examples: ['eu-central-1'] }),
  force_path_style: flag('force_path_style').meta({ description: 'Path-style addressing (endpoint/bucket/key) instead of virtual-host (bucket.endpoint/key); default false' }),
  bucket: text('bucket', 63)
    .regex(BUCKET, 'bucket must be 3 to 63 lowercase letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit')
    .meta({ description: 'An existing bucket: it is never created', examples: ['my-rendered-images'] }),
  prefix: text('prefix', DESTINATION_PREFIX_MAX)
    .superRefine((value, ctx) => {
      const problem = prefixProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description: 'Folder-like key prefix without leading or trailing slash; default none', examples: ['renders'] }),
  access_key_id: text('access_key_id', 256)
    .min(1, 'access_key_id must not be empty')
    .regex(KEY_ID, 'access_key_id must be printable ASCII without spaces')
    .meta({ examples: ['AKIAIOSFODNN7EXAMPLE'] }),
  secret_access_key: text('secret_access_key', 256)
    .min(1, 'secret_access_key must not be empty')
    .meta({ description: 'Stored encrypted, used only to sign requests to the bucket, never returned or logged', examples: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'] }),
  keep_copy: flag('keep_copy').meta({
    description: "Keep this service's copy too (default true); false is hcti's \"Disable HCTI Storage\": the bucket holds the only copy",
  }),
  enabled: flag('enabled').meta({ description: 'Whether images may name it in storage_destination_id (default true)' }),
};

const unknownField = { error: (iss: { code?: string; keys?: string[] }) => (iss.code === 'unrecognized_keys' ? `Unknown field: ${iss.keys!.join(', ')}` : undefined) };

/** POST /v1/storage-destinations: a new destination. */
export const destinationCreateSchema = z.strictObject(
  {
    name: fields.name,
    endpoint: fields.endpoint.optional(),
    region: fields.region.optional(),
    force_path_style: fields.force_path_style.optional(),
    bucket: fields.bucket,
    prefix: fields.prefix.optional(),
    access_key_id: fields.access_key_id,
    secret_access_key: fields.secret_access_key,
    keep_copy: fields.keep_copy.optional(),
    enabled: fields.enabled.optional(),
  },
  unknownField,
);

/** PUT /v1/storage-destinations/{id}: fields not sent keep their value (the secret included). */
export const destinationUpdateSchema = destinationCreateSchema.partial();

export type DestinationCreate = z.output<typeof destinationCreateSchema>;
export type DestinationUpdate = z.output<typeof destinationUpdateSchema>;

/** The settings of a destination, every field decided: what a create leads to, or an update merges into. */
export type DestinationSettingsDraft = Omit<StorageDestination, 'id' | 'account' | 'created_at' | 'updated_at' | 'last_tested_at' | 'last_test_succeeded' | 'last_test_error'>;

/** A create's settings with their defaults; AWS (no endpoint) needs its region. Throws ValidationError. */
export function draftOf(body: DestinationCreate): DestinationSettingsDraft {
  const endpoint = body.endpoint ?? null;
  if (endpoint === null && body.region === undefined) throw new ValidationError('region is required for AWS S3 (a destination without endpoint)');
  return {
    name: body.name,
    provider: 'other_s3_compatible',
    role_arn: null,
    cloudflare_account_id: null,
    cloudflare_jurisdiction: null,
    endpoint,
    region: body.region ?? DEFAULT_DESTINATION_REGION,
    force_path_style: body.force_path_style ?? false,
    bucket: body.bucket,
    prefix: body.prefix ?? '',
    access_key_id: body.access_key_id,
    keep_copy: body.keep_copy ?? true,
    enabled: body.enabled ?? true,
  };
}

/** Validates a body with the schema; throws ValidationError naming the first bad field. */
export function parseDestinationBody<S extends typeof destinationCreateSchema | typeof destinationUpdateSchema>(schema: S, body: unknown): z.output<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('The request body must be a JSON object');
  const result = schema.safeParse(body);
  if (result.success) return result.data as z.output<S>;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  throw new ValidationError(!field || issue.message.startsWith(field) || issue.code === 'unrecognized_keys' ? issue.message : `${field}: ${issue.message}`);
}
