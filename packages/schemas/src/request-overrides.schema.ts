// request_overrides: rules that block browser requests while a page renders, as hcti documents
// them (parameters/request_overrides) and its clients model them (Go `RequestOverride`, Python
// `RequestOverride`): `action` "block", a `url` wildcard and/or `resource_types`; at most 100
// rules, patterns of at most 512 characters without control characters. A form body sends the
// whole array as one JSON field; an empty array adds no rules (it clears a batch default).
import { z } from 'zod';
import { formObject } from './fields';

/** The resource type names hcti accepts, in its order. */
export const REQUEST_RESOURCE_TYPES = [
  'beacon',
  'document',
  'stylesheet',
  'image',
  'image_set',
  'media',
  'font',
  'script',
  'text_track',
  'xhr',
  'fetch',
  'event_source',
  'manifest',
  'ping',
  'img',
  'other',
] as const;

export type RequestResourceType = (typeof REQUEST_RESOURCE_TYPES)[number];

export interface RequestOverrideLimits {
  /** Rules one request may carry. hcti: 100. */
  maxRules: number;
  /** Characters of one url pattern. hcti: 512. */
  maxPatternChars: number;
}

/** hcti's limits (parameters/request_overrides, "Limits and validation"). */
export const REQUEST_OVERRIDE_LIMITS: RequestOverrideLimits = { maxRules: 100, maxPatternChars: 512 };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface RequestOverride {
  action: 'block';
  /** Matches the whole request URL; `*` is any run of characters, case-sensitive. */
  url?: string;
  /** Matches any of these types. With url, both must match. */
  resource_types?: RequestResourceType[];
}

export const requestOverridesField = (limits: RequestOverrideLimits = REQUEST_OVERRIDE_LIMITS) => {
  const rule = (i: number) =>
    z
      .strictObject(
        {
          action: z.literal('block', { error: `request_overrides[${i}].action must be "block"` }),
          url: z
            .string({ error: `request_overrides[${i}].url must be a string` })
            .max(limits.maxPatternChars, `request_overrides[${i}].url is longer than ${limits.maxPatternChars} characters`)
            .refine((v) => v.trim() !== '', `request_overrides[${i}].url must not be blank`)
            .refine((v) => !CONTROL.test(v), `request_overrides[${i}].url must not contain control characters`)
            .optional(),
          resource_types: z
            .array(z.enum(REQUEST_RESOURCE_TYPES, { error: `request_overrides[${i}].resource_types: each must be one of ${REQUEST_RESOURCE_TYPES.join(', ')}` }), {
              error: `request_overrides[${i}].resource_types must be an array`,
            })
            .min(1, `request_overrides[${i}].resource_types must not be empty`)
            .optional(),
        },
        { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: request_overrides[${i}].${iss.keys.join(', ')}` : `request_overrides[${i}] must be an object`) },
      )
      .refine((r) => r.url !== undefined || r.resource_types !== undefined, `request_overrides[${i}] needs a url, resource_types, or both`);
  const message = 'request_overrides must be an array of rules ({"action":"block","url":…,"resource_types":[…]})';
  return formObject(
    'request_overrides',
    z
      .array(z.unknown(), { error: message })
      .max(limits.maxRules, `request_overrides has more than ${limits.maxRules} rules`)
      .transform((rules, ctx) => {
        const parsed: RequestOverride[] = [];
        rules.forEach((r, i) => {
          const result = rule(i).safeParse(r);
          if (result.success) parsed.push(result.data);
          else ctx.addIssue({ code: 'custom', message: result.error.issues[0]!.message });
        });
        return parsed;
      }),
  );
};
