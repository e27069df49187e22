// Paging of the management lists (hcti management-api, "Resource IDs and pagination"): `count`
// from 1 to 100 (default 10) and `page_start`, the previous answer's opaque
// pagination.next_page_start; newest first; the answer is {data, pagination: {next_page_start}},
// with null once there is no further page. The cursor names the last item given (its creation
// time and id), so an item deleted between two pages moves no other item to another page.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { pageSize } from './fields';

/** Largest page of a management list. */
export const MANAGEMENT_PAGE_MAX = 100;
/** Page size when `count` is absent. */
export const MANAGEMENT_PAGE_DEFAULT = 10;

/** The query every management list takes; other query fields are left to the list's own schema. */
export const managementPageQuerySchema = z.object({
  count: pageSize('count', MANAGEMENT_PAGE_MAX).optional().meta({ description: `Items per page, 1 to ${MANAGEMENT_PAGE_MAX}; default ${MANAGEMENT_PAGE_DEFAULT}` }),
  page_start: z
    .string({ error: 'page_start must be a string' })
    .max(512, 'page_start is not a cursor this API gave')
    .optional()
    .meta({ description: "The previous page's pagination.next_page_start; absent for the first page" }),
});

/** Where an item sits in the newest-first order. */
export interface PagePosition {
  created_at: string;
  id: string;
}

export interface ManagementPage<T> {
  data: T[];
  pagination: { next_page_start: string | null };
}

/** The answer's schema for the API document: a page of `item`. */
export function managementPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item).meta({ description: 'Newest first' }),
    pagination: z.object({
      next_page_start: z.string().nullable().meta({ description: 'Pass as page_start for the next page; null on the last page' }),
    }),
  });
}

/** Newest first: later creation first, then the larger id. */
function compare(a: PagePosition, b: PagePosition): number {
  return b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);
}

function encodeCursor(p: PagePosition): string {
  return Buffer.from(JSON.stringify([p.created_at, p.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): PagePosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return { created_at: value[0], id: value[1] };
  } catch {
    // Falls through to the refusal below.
  }
  throw new ValidationError('page_start is not a cursor this API gave');
}

/**
 * One page of `items` (any order), newest first, after the query's cursor. Throws
 * ValidationError for a bad count or cursor.
 */
export function pageOf<T>(items: readonly T[], positionOf: (item: T) => PagePosition, query: unknown): ManagementPage<T> {
  const parsed = managementPageQuerySchema.safeParse(query ?? {});
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
  const count = parsed.data.count ?? MANAGEMENT_PAGE_DEFAULT;
  const after = parsed.data.page_start !== undefined ? decodeCursor(parsed.data.page_start) : undefined;
  const ordered = [...items].sort((a, b) => compare(positionOf(a), positionOf(b)));
  const rest = after ? ordered.filter((item) => compare(after, positionOf(item)) < 0) : ordered;
  const data = rest.slice(0, count);
  const more = rest.length > count;
  return { data, pagination: { next_page_start: more ? encodeCursor(positionOf(data[data.length - 1]!)) : null } };
}
