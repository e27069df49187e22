// The body of POST /v1/og-configs and POST /v1/og-configs/{id}: one complete configuration, of
// config_type html_css or templated, exactly as the Terraform provider and the Go client send it
// (their nulls included; a field of the other type is refused). Image options are checked by the
// create schema itself, so they obey the same rules and limits as any create.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { parseAddress } from '@pixelfarm/egress';
import { parseCreateImage, type createImageSchema } from '@pixelfarm/schemas';
import { OG_CONFIG_TYPES, OG_DEFAULT_OPTION_NAMES, OPTIMIZATION_MODES, type OgConfig, type OgDefaultOptions } from './og-config';

export const OG_NAME_MAX = 255;
export const OG_DESCRIPTION_MAX = 1023;
/** hcti: at least 30 minutes (the plan's minimum), at most a year; 24 hours by default. */
export const OG_REFRESH_MIN_S = 1800;
export const OG_REFRESH_MAX_S = 365 * 24 * 3600;
export const OG_REFRESH_DEFAULT_S = 86_400;
export const OG_MAPPINGS_MAX = 32;
export const OG_HEADER_ORIGINS_MAX = 20;

/** What a configuration's settings are, before it has an id. */
export type OgConfigDraft = Omit<OgConfig, 'id' | 'domain_id' | 'created_at' | 'updated_at'>;

export interface OgBodyContext {
  createSchema: ReturnType<typeof createImageSchema>;
  /** Whether URL_ALLOWLIST opens the host (then http and a private address are allowed). */
  allowListed(host: string): boolean;
  /** The egress policy's verdict on a literal address. */
  addressAllowed(address: string): boolean;
}

const nullish = <T extends z.ZodType>(inner: T) => inner.nullable().optional();
const str = (field: string) => z.string({ error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a string`) });
const unknownField = { error: (iss: { code?: string; keys?: string[] }) => (iss.code === 'unrecognized_keys' ? `Unknown field for this config_type: ${iss.keys!.join(', ')}` : undefined) };

const shared = {
  name: str('name').trim().min(1, 'name must not be empty').max(OG_NAME_MAX, `name is longer than ${OG_NAME_MAX} characters`),
  description: nullish(z.string({ error: 'description must be a string or null' }).trim().max(OG_DESCRIPTION_MAX, `description is longer than ${OG_DESCRIPTION_MAX} characters`)),
  base_url: str('base_url').trim().max(512, 'base_url is longer than 512 characters').meta({ description: 'The website origin, https://example.com', examples: ['https://example.com'] }),
  disabled: nullish(z.boolean({ error: 'disabled must be true or false' })),
  optimization_mode: nullish(z.enum(OPTIMIZATION_MODES, { error: `optimization_mode must be one of ${OPTIMIZATION_MODES.join(', ')}` })),
  refresh_interval_s: nullish(
    z
      .number({ error: 'refresh_interval_s must be a whole number of seconds' })
      .int('refresh_interval_s must be a whole number of seconds')
      .min(OG_REFRESH_MIN_S, `refresh_interval_s must be between ${OG_REFRESH_MIN_S} and ${OG_REFRESH_MAX_S}`)
      .max(OG_REFRESH_MAX_S, `refresh_interval_s must be between ${OG_REFRESH_MIN_S} and ${OG_REFRESH_MAX_S}`),
  ),
};

const defaultOptions = z.strictObject(
  // Each is checked by the create schema (defaultOptionsOf), under the same name.
  Object.fromEntries(OG_DEFAULT_OPTION_NAMES.map((name) => [name, z.unknown().optional()])) as Record<(typeof OG_DEFAULT_OPTION_NAMES)[number], z.ZodOptional<z.ZodUnknown>>,
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: default_options.${iss.keys.join(', default_options.')}` : 'default_options must be an object or null') },
);

const mapping = z.strictObject(
  {
    template_key: str('template_key').trim().min(1, 'template_key must not be empty').max(128, 'template_key is longer than 128 characters'),
    meta_key: nullish(z.string({ error: 'meta_key must be a string or null' }).trim().min(1, 'meta_key must not be empty')),
    fallback: nullish(z.enum(['titles', 'descriptions'], { error: 'fallback must be titles or descriptions' })),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: ${iss.keys.join(', ')}` : 'each template_values_mapping entry must be an object') },
);

export const htmlCssOgConfigSchema = z.strictObject(
  { config_type: z.literal('html_css'), ...shared, default_options: nullish(defaultOptions), extract_values: nullish(z.boolean({ error: 'extract_values must be true or false' })) },
  unknownField,
);

export const templatedOgConfigSchema = z.strictObject(
  {
    config_type: z.literal('templated'),
    ...shared,
    template_id: str('template_id').trim().min(1, 'template_id must name one of your templates'),
    template_version: nullish(z.number({ error: 'template_version must be a whole number' }).int('template_version must be a whole number').min(1, 'template_version must be positive, or null for the latest')),
    template_values_mapping: nullish(z.array(mapping, { error: 'template_values_mapping must be a list' }).max(OG_MAPPINGS_MAX, `template_values_mapping holds at most ${OG_MAPPINGS_MAX} entries`)),
    headers: nullish(z.record(z.string(), z.string({ error: 'headers values must be strings' }), { error: 'headers must be an object of names and values' })),
    additional_header_origins: nullish(z.array(z.string({ error: 'additional_header_origins must hold origins' })).max(OG_HEADER_ORIGINS_MAX, `additional_header_origins holds at most ${OG_HEADER_ORIGINS_MAX} origins`)),
  },
  unknownField,
);

/** The request body, for the API document. */
export const ogConfigBodySchema = z.discriminatedUnion('config_type', [htmlCssOgConfigSchema, templatedOgConfigSchema]);

/** Validates a body into a configuration's settings; throws ValidationError naming the first bad field. */
export function parseOgConfigBody(body: unknown, ctx: OgBodyContext): OgConfigDraft {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('The request body must be a JSON object');
  const type = (body as { config_type?: unknown }).config_type;
  if (!OG_CONFIG_TYPES.includes(type as never)) throw new ValidationError(`config_type must be one of ${OG_CONFIG_TYPES.join(', ')}`);
  const result = (type === 'html_css' ? htmlCssOgConfigSchema : templatedOgConfigSchema).safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ValidationError(!field || issue.message.startsWith(field) || issue.message.startsWith('Unknown field') ? issue.message : `${field}: ${issue.message}`);
  }
  const b = result.data;
  const base_url = originOf(b.base_url, ctx);
  const common = {
    name: b.name,
    description: b.description ? b.description : null,
    base_url,
    optimization_mode: b.optimization_mode ?? 'post_process',
    enabled: !(b.disabled ?? false),
    refresh_interval_s: b.refresh_interval_s ?? OG_REFRESH_DEFAULT_S,
  };
  if (b.config_type === 'html_css') {
    return {
      ...common,
      config_type: 'html_css',
      default_options: defaultOptionsOf(b.default_options ?? null, base_url, ctx),
      extract_values: b.extract_values ?? false,
      template_id: null,
      template_version: null,
      template_values_mapping: null,
      headers: null,
      additional_header_origins: null,
    };
  }
  const mappings = (b.template_values_mapping ?? []).map((m, i) => {
    const meta_key = m.meta_key ?? null;
    const fallback = m.fallback ?? null;
    if ((meta_key === null) === (fallback === null)) throw new ValidationError(`template_values_mapping[${i}] must have exactly one of meta_key or fallback`);
    return { template_key: m.template_key, meta_key, fallback };
  });
  const keys = mappings.map((m) => m.template_key);
  if (new Set(keys).size !== keys.length) throw new ValidationError('template_values_mapping names a template_key twice');
  const headers = b.headers && Object.keys(b.headers).length > 0 ? b.headers : null;
  const origins = b.additional_header_origins && b.additional_header_origins.length > 0 ? b.additional_header_origins : null;
  checkAsCreate(ctx, { url: `${base_url}/`, ...(headers ? { headers } : {}), ...(origins ? { additional_header_origins: origins } : {}) }, '');
  return {
    ...common,
    config_type: 'templated',
    default_options: null,
    extract_values: false,
    template_id: b.template_id,
    template_version: b.template_version ?? null,
    template_values_mapping: mappings.length > 0 ? mappings : null,
    headers,
    additional_header_origins: origins,
  };
}

/** The https origin of base_url (http, or a private address, only for a host URL_ALLOWLIST opens). */
function originOf(raw: string, ctx: OgBodyContext): string {
  const text = raw.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('base_url must be an origin such as https://example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError('base_url must be an https:// origin');
  if (url.username || url.password) throw new ValidationError('base_url must not hold credentials');
  if (url.pathname !== '/' || text.includes('?') || text.includes('#')) throw new ValidationError('base_url must be an origin, without a path, query or fragment');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const opened = ctx.allowListed(host);
  if (url.protocol === 'http:' && !opened) throw new ValidationError('base_url must be an https:// origin (http is allowed only for a host URL_ALLOWLIST opens)');
  if (!opened && parseAddress(host) !== null && !ctx.addressAllowed(host)) {
    throw new ValidationError(`base_url: the address ${host} is refused by the egress policy (private, loopback or reserved; URL_ALLOWLIST can open it)`);
  }
  return url.origin;
}

/** Every option, null when unset: checked as a create of the site's page would be. */
function defaultOptionsOf(raw: Record<string, unknown> | null, baseUrl: string, ctx: OgBodyContext): OgDefaultOptions {
  const options = Object.fromEntries(OG_DEFAULT_OPTION_NAMES.map((name) => [name, raw?.[name] ?? null])) as OgDefaultOptions;
  // hcti: "An omitted value, null, or an empty array adds no overrides".
  if (Array.isArray(options.request_overrides) && options.request_overrides.length === 0) options.request_overrides = null;
  if (typeof options.css === 'string' && options.css.trim() === '') options.css = null;
  if (options.headers !== null && typeof options.headers === 'object' && Object.keys(options.headers).length === 0) options.headers = null;
  if (Array.isArray(options.additional_header_origins) && options.additional_header_origins.length === 0) options.additional_header_origins = null;
  if ((options.viewport_width === null) !== (options.viewport_height === null)) {
    throw new ValidationError('default_options: viewport_width and viewport_height go together');
  }
  if (options.include_headers_on_subrequests === true && options.headers === null) {
    throw new ValidationError('default_options.include_headers_on_subrequests requires at least one header');
  }
  checkAsCreate(ctx, { url: `${baseUrl}/`, ...setOptions(options) }, 'default_options.');
  options.include_headers_on_subrequests ??= false;
  return options;
}

/** The options that are set, as create fields. */
export function setOptions(options: OgDefaultOptions | null): Record<string, unknown> {
  if (!options) return {};
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== null));
}

function checkAsCreate(ctx: OgBodyContext, fields: Record<string, unknown>, prefix: string): void {
  try {
    parseCreateImage(ctx.createSchema, fields);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${prefix}${err.message}`);
    throw err;
  }
}
