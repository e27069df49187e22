// Field builders that accept both JSON types and the strings of form bodies ("true", "2"),
// with messages that name the field the way a user wrote it.
import { z } from 'zod';

export const formBool = (field: string) =>
  z.preprocess(
    (v) => {
      if (v === 'true' || v === '1' || v === 'on') return true;
      if (v === 'false' || v === '0' || v === '' || v === 'off') return false;
      return v;
    },
    z.boolean({ error: `${field} must be true or false` }),
  );

export const formNumber = (field: string, min: number, max: number, opts: { int?: boolean } = {}) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v),
    (opts.int ? z.number({ error: `${field} must be a whole number` }).int(`${field} must be a whole number`) : z.number({ error: `${field} must be a number` }))
      .min(min, `${field} must be between ${min} and ${max}`)
      .max(max, `${field} must be between ${min} and ${max}`),
  );

/** A page size in a query string: digits only (no "1e3"), 1..max, one message for every failure. */
export const pageSize = (field: string, max: number) => {
  const message = `${field} must be a whole number from 1 to ${max}`;
  return z
    .string({ error: message })
    .regex(new RegExp(`^\\d{1,${String(max).length}}$`), message)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, message);
};

export const text = (field: string, max: number) =>
  z.string({ error: `${field} must be a string` }).max(max, `${field} is longer than ${max} characters`);

/** JSON objects may arrive as JSON-encoded strings from form bodies. */
export const formObject = <T extends z.ZodType>(field: string, inner: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }, inner.refine((x) => x !== undefined, `${field} must be an object`));

/** A JSON object: not null, not an array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * An object's fields without those set to null: hcti's clients send every field they leave unset
 * as JSON null (the Go client and the Terraform provider do, at every level), which means "not
 * given". Anything that is not a plain object passes unchanged.
 */
export function withoutNulls(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}
