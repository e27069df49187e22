// The body of POST /v1/proxies and POST /v1/proxies/{id} (hcti management-api/proxies): one
// complete configuration that creates or replaces a proxy, exactly as the Terraform provider and
// the Go client send it, their nulls included (port, authentication, bypass_hosts,
// password, retain_password). Unknown fields are refused. Whether the proxy's address may be
// reached is the egress policy's call (proxy-directory.ts), not this schema's.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';

export const PROXY_NAME_MIN = 3;
export const PROXY_NAME_MAX = 500;
export const PROXY_URL_MAX = 512;
export const PROXY_USERNAME_MAX = 512;
/** hcti: "Up to 484 UTF-8 bytes". */
export const PROXY_PASSWORD_MAX_BYTES = 484;
export const PROXY_BYPASS_HOSTS_MAX = 100;
const HOST_MAX = 253;
// A host name (optionally "*." for its subdomains), an IPv4 address, or an IPv6 one (bracketed or not).
const BYPASS_HOST = /^(?:(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[?[0-9a-f:.]+\]?)$/;

const str = (field: string) => z.string({ error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a string`) });
const nullish = <T extends z.ZodType>(inner: T) => inner.nullable().optional();

/** Why the text is not a bare http(s) proxy origin, or null. */
function proxyUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute URL such as https://proxy.example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must be an http:// or https:// URL';
  if (url.username || url.password || raw.includes('@')) return 'url must not hold credentials: send them in authentication';
  if (url.port !== '') return 'url must not hold a port: send it in port';
  if (url.pathname !== '/' || raw.includes('?') || raw.includes('#')) return 'url takes no path other than /, no query and no fragment';
  return null;
}

/** A bypass entry reduced to its host, lowercase; a URL gives its host. */
function bypassHostOf(entry: string): string {
  const trimmed = entry.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      return new URL(trimmed).hostname.toLowerCase();
    } catch {
      return trimmed.toLowerCase();
    }
  }
  return trimmed.toLowerCase();
}

const authenticationSchema = z.strictObject(
  {
    username: str('authentication.username').max(PROXY_USERNAME_MAX, `authentication.username is longer than ${PROXY_USERNAME_MAX} characters`),
    password: nullish(
      z
        .string({ error: 'authentication.password must be a string' })
        .refine((p) => Buffer.byteLength(p, 'utf8') <= PROXY_PASSWORD_MAX_BYTES, `authentication.password is longer than ${PROXY_PASSWORD_MAX_BYTES} UTF-8 bytes`),
    ),
    retain_password: nullish(z.boolean({ error: 'authentication.retain_password must be true, false or null' })),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: authentication.${iss.keys.join(', authentication.')}` : 'authentication must be an object or null') },
);

/** POST /v1/proxies and POST /v1/proxies/{id}: the complete configuration. */
export const proxyBodySchema = z.strictObject(
  {
    name: str('name')
      .trim()
      .min(PROXY_NAME_MIN, `name must be ${PROXY_NAME_MIN} to ${PROXY_NAME_MAX} characters after trimming`)
      .max(PROXY_NAME_MAX, `name must be ${PROXY_NAME_MIN} to ${PROXY_NAME_MAX} characters after trimming`)
      .meta({ examples: ['Screenshot proxy'] }),
    url: str('url')
      .trim()
      .max(PROXY_URL_MAX, `url is longer than ${PROXY_URL_MAX} characters`)
      .superRefine((value, ctx) => {
        const problem = proxyUrlProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: 'The proxy as an http(s) origin, without port or credentials', examples: ['https://proxy.example.com'] }),
    port: nullish(z.number({ error: 'port must be a whole number from 1 to 65535' }).int('port must be a whole number from 1 to 65535').min(1, 'port must be a whole number from 1 to 65535').max(65535, 'port must be a whole number from 1 to 65535')).meta({
      description: "Omitted or null: 80 for http, 443 for https",
    }),
    disabled: nullish(z.boolean({ error: 'disabled must be true or false' })).meta({ description: 'Default false; the answer says enabled' }),
    authentication: nullish(authenticationSchema).meta({
      description:
        'username and password, or on update the unchanged username with retain_password: true to keep the stored password. Omitted or null: no authentication',
    }),
    bypass_hosts: nullish(
      z
        .array(z.string({ error: 'bypass_hosts must hold host names, addresses or URLs' }), { error: 'bypass_hosts must be a list of hosts or null' })
        .max(PROXY_BYPASS_HOSTS_MAX, `bypass_hosts holds at most ${PROXY_BYPASS_HOSTS_MAX} entries`),
    ).meta({ description: 'Hosts reached without the proxy (still under the egress policy); URLs are reduced to their host', examples: [['fonts.googleapis.com']] }),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: ${iss.keys.join(', ')}` : undefined) },
);

export type ProxyBody = z.output<typeof proxyBodySchema>;

/** Credentials as a body asks for them: new ones, the stored password kept, or none. */
export type ProxyAuthenticationDraft = { username: string; password: string } | { username: string; retain: true } | null;

/** A body's settings with their defaults decided. */
export interface ProxySettingsDraft {
  name: string;
  url: string;
  protocol: 'http' | 'https';
  host: string;
  port: number;
  enabled: boolean;
  bypass_hosts: string[];
  authentication: ProxyAuthenticationDraft;
}

/** Validates a body; throws ValidationError naming the first bad field (never echoing a value). */
export function parseProxyBody(body: unknown): ProxySettingsDraft {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('The request body must be a JSON object');
  const result = proxyBodySchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ValidationError(!field || issue.message.startsWith(field) || issue.code === 'unrecognized_keys' ? issue.message : `${field}: ${issue.message}`);
  }
  const b = result.data;
  const url = new URL(b.url);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const hosts: string[] = [];
  (b.bypass_hosts ?? []).forEach((entry, i) => {
    const host = bypassHostOf(entry);
    if (host.length > HOST_MAX || !BYPASS_HOST.test(host)) throw new ValidationError(`bypass_hosts[${i}] must be a host name, an address or an absolute URL`);
    if (!hosts.includes(host)) hosts.push(host);
  });
  return {
    name: b.name,
    url: b.url,
    protocol,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: b.port ?? (protocol === 'https' ? 443 : 80),
    enabled: !(b.disabled ?? false),
    bypass_hosts: hosts,
    authentication: authenticationOf(b.authentication ?? null),
  };
}

function authenticationOf(auth: z.output<typeof authenticationSchema> | null): ProxyAuthenticationDraft {
  if (auth === null) return null;
  const password = auth.password ?? null;
  if (auth.retain_password === true) {
    if (password !== null) throw new ValidationError('authentication: send either a password or retain_password: true, not both');
    return { username: auth.username, retain: true };
  }
  if (password === null) throw new ValidationError('authentication.password is required (or, on update, retain_password: true to keep the stored one)');
  return { username: auth.username, password };
}

/** A proxy as answered (AccountProxy): never the password, nor retain_password. */
export const accountProxyView = z.object({
  id: z.string().meta({ description: 'px-<uuid>: the proxy_id of creates', examples: ['px-2b1f7c9e-8d4a-4f3b-9c6e-1a2b3c4d5e6f'] }),
  name: z.string(),
  url: z.string(),
  port: z.number().int(),
  bypass_hosts: z.array(z.string()),
  username: z.string().nullable().meta({ description: 'null when the proxy does not authenticate; an empty string is a username' }),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
