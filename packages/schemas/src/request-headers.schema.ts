// Custom request headers of a url capture, by hcti's rules (htmlcsstoimage/docs
// parameters/headers.md): how many, which names and values, which origins may receive them, and
// the three encodings a client may send them in (a JSON object; form fields and signed
// create-and-render URLs repeat `headers=Name:value` and `additional_header_origins=<origin>`).
import { z } from 'zod';

/** hcti's documented limits (parameters/headers.md, "Header rules and limits"). */
export const HEADER_RULES = {
  /** Custom headers one request may set. */
  maxHeaders: 20,
  /** Longest header name, in ASCII characters. */
  maxNameChars: 512,
  /** Longest header value, in UTF-8 bytes. */
  maxValueBytes: 8192,
  /** Most additional_header_origins. */
  maxOrigins: 20,
  /** Longest origin, in UTF-8 bytes. */
  maxOriginBytes: 512,
} as const;

/** Infrastructure-controlled headers: hop-by-hop, Host, framing, forwarding (and the prefixes below). */
export const RESTRICTED_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'forwarded',
  'via',
];
export const RESTRICTED_HEADER_PREFIXES: readonly string[] = ['proxy-', 'sec-', 'x-forwarded-'];

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters other than horizontal tab (RFC 9110 field values; hcti's rule).
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const FORM_ENTRY_HINT = 'headers sent as form fields or in a query are Name:value, such as "X-Preview-Mode:enabled"';

export function isRestrictedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESTRICTED_HEADERS.includes(lower) || RESTRICTED_HEADER_PREFIXES.some((p) => lower.startsWith(p));
}

/** A form's JSON text of an object or array, parsed; anything else as it is. */
function jsonText(input: unknown, opening: '{' | '['): unknown {
  if (typeof input !== 'string' || !input.trimStart().startsWith(opening)) return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/**
 * The header pairs of any accepted encoding, in order: a JSON object (or its JSON text), one
 * "Name:value" string, or several (repeated form fields, split at the first colon).
 */
function headerPairs(input: unknown, ctx: z.RefinementCtx): [string, unknown][] | typeof z.NEVER {
  // Not JSON: a Name:value entry (whose value may start with "{"), split below.
  const value = jsonText(input, '{');
  const entries = typeof value === 'string' ? [value] : value;
  if (Array.isArray(entries)) {
    const pairs: [string, unknown][] = [];
    for (const entry of entries) {
      const colon = typeof entry === 'string' ? entry.indexOf(':') : -1;
      if (colon <= 0) {
        ctx.addIssue({ code: 'custom', message: FORM_ENTRY_HINT });
        return z.NEVER;
      }
      pairs.push([(entry as string).slice(0, colon).trim(), (entry as string).slice(colon + 1).trim()]);
    }
    return pairs;
  }
  if (value === null || typeof value !== 'object') {
    ctx.addIssue({ code: 'custom', message: 'headers must be an object of header names to string values' });
    return z.NEVER;
  }
  return Object.entries(value);
}

/** `headers`: at most 20, unique case-insensitive names, no restricted ones, values as hcti allows. */
export const headersField = z
  .unknown()
  .transform((input, ctx): Record<string, string> => {
    const pairs = headerPairs(input, ctx);
    if (pairs === z.NEVER) return z.NEVER;
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (pairs.length > HEADER_RULES.maxHeaders) return fail(`headers may set at most ${HEADER_RULES.maxHeaders} headers (${pairs.length} given)`);
    const seen = new Set<string>();
    const restricted: string[] = [];
    const headers: Record<string, string> = {};
    for (const [name, value] of pairs) {
      const shown = JSON.stringify(name.slice(0, 40));
      if (name.length > HEADER_RULES.maxNameChars) return fail(`headers: the name ${shown}… is longer than ${HEADER_RULES.maxNameChars} characters`);
      if (!HEADER_NAME.test(name)) return fail(`headers: ${shown} is not an HTTP header name`);
      if (seen.has(name.toLowerCase())) return fail(`headers: ${name} is given twice (header names are case-insensitive)`);
      seen.add(name.toLowerCase());
      if (typeof value !== 'string') return fail(`headers: the value of ${name} must be a string`);
      if (Buffer.byteLength(value) > HEADER_RULES.maxValueBytes) return fail(`headers: the value of ${name} is longer than ${HEADER_RULES.maxValueBytes} bytes`);
      if (CONTROL.test(value)) return fail(`headers: the value of ${name} contains a control character (line breaks included; only tab is allowed)`);
      if (isRestrictedHeader(name)) restricted.push(name);
      headers[name] = value;
    }
    if (restricted.length > 0) {
      return fail(
        `headers: ${restricted.join(', ')} cannot be set: hop-by-hop, Host, Content-Length, Proxy-*, Sec-* and X-Forwarded-* headers are controlled by the browser and the service`,
      );
    }
    return headers;
  })
  // The encodings it takes, for the API docs (the transform above is what enforces them).
  .meta({
    anyOf: [
      { type: 'object', maxProperties: HEADER_RULES.maxHeaders, propertyNames: { maxLength: HEADER_RULES.maxNameChars }, additionalProperties: { type: 'string' } },
      { type: 'array', maxItems: HEADER_RULES.maxHeaders, items: { type: 'string', pattern: '^[^:]+:' } },
      { type: 'string' },
    ],
  });

/** `additional_header_origins`: exact http(s) origins, deduplicated; a JSON array, its JSON text, or repeated fields. */
export const headerOriginsField = z
  .unknown()
  .transform((input, ctx): string[] => {
    // Not JSON: checked as one origin below.
    const value = jsonText(input, '[');
    const list = typeof value === 'string' ? [value] : value;
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (!Array.isArray(list) || list.some((o) => typeof o !== 'string')) {
      return fail('additional_header_origins must be a list of origins such as https://api.example.com');
    }
    const origins = new Set<string>();
    for (const raw of list as string[]) {
      const origin = exactOrigin(raw);
      if (!origin) {
        return fail(
          `additional_header_origins: ${JSON.stringify(raw.slice(0, 80))} is not an exact origin: scheme://host[:port] with http or https, no path, query, fragment, credentials or wildcard`,
        );
      }
      if (Buffer.byteLength(raw) > HEADER_RULES.maxOriginBytes) return fail(`additional_header_origins: an origin is longer than ${HEADER_RULES.maxOriginBytes} bytes`);
      origins.add(origin);
    }
    if (origins.size > HEADER_RULES.maxOrigins) return fail(`additional_header_origins may list at most ${HEADER_RULES.maxOrigins} origins (${origins.size} given)`);
    return [...origins];
  })
  .meta({ anyOf: [{ type: 'array', items: { type: 'string', format: 'uri' } }, { type: 'string' }] });

/** The normalised origin of "scheme://host[:port]" (a trailing "/" allowed), or null. */
function exactOrigin(raw: string): string | null {
  if (!/^https?:\/\/[^/?#@*\s\\]+\/?$/i.test(raw)) return null;
  try {
    const url = new URL(raw);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/**
 * The header name a browser applies to every request (hcti: "User-Agent configures Chrome's
 * browser-level user agent and applies to all requests made by the page").
 */
export const BROWSER_WIDE_HEADER = 'user-agent';
