// Zod fields for environment variables, which always arrive as strings: whole numbers in a
// range, numbers with fractions, booleans as true/false/1/0/yes/no, http(s) URLs and comma-separated lists.
import { z } from 'zod';

/** A whole number from `min` to `max`, `def` when unset. */
export const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

/** A number, fractions allowed, from `min` to `max`, `def` when unset. */
export const num = (def: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(def);

/** A whole number from `min` to `max` with no fixed default: the owner derives one when unset. */
export const optionalInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();

/** true/false, 1/0 or yes/no; `def` when unset. */
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An http:// or https:// URL. */
export const httpUrl = z.url({ protocol: /^https?$/ });

/** The non-empty, trimmed entries of a comma-separated list. */
export const listOf = (csv: string): string[] =>
  csv
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
