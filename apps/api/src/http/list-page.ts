// hcti's management lists: newest first, `count` (1-100, default 10) items a page, and an opaque
// `page_start` cursor, the previous page's `pagination.next_page_start`, null after the last page.
// The cursor names the position of the next page's first item (its creation time and id), so an
// item deleted between two pages does not break the walk.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';

export const LIST_PAGE_MAX = 100;

export const listPageQuery = z.object({
  count: z.coerce
    .number({ error: 'count must be a whole number from 1 to 100' })
    .int('count must be a whole number from 1 to 100')
    .min(1, 'count must be a whole number from 1 to 100')
    .max(LIST_PAGE_MAX, 'count must be a whole number from 1 to 100')
    .default(10)
    .meta({ description: 'Items per page, 1 to 100 (default 10)' }),
  page_start: z.string().optional().meta({ description: "The previous page's pagination.next_page_start; omit for the first page" }),
});

/** A page's schema for the API document. */
export function listPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item).meta({ description: 'Newest first' }),
    pagination: z.object({ next_page_start: z.string().nullable().meta({ description: 'page_start of the next page; null after the last' }) }),
  });
}

export interface ListPage<T> {
  data: T[];
  pagination: { next_page_start: string | null };
}

interface Listed {
  id: string;
  created_at: string;
}

/** Newest first: later creation, then the greater id. */
function newestFirst(a: Listed, b: Listed): number {
  return b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);
}

function cursorOf(item: Listed): string {
  return Buffer.from(JSON.stringify([item.created_at, item.id])).toString('base64url');
}

function positionOf(cursor: string): Listed {
  try {
    const [created_at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof created_at === 'string' && typeof id === 'string') return { created_at, id };
  } catch {
    // falls through to the 400 below
  }
  throw new ValidationError('page_start is not a cursor this list gave');
}

/** Validates the query's count and page_start; throws ValidationError naming what is wrong. */
export function parseListQuery(query: unknown): z.output<typeof listPageQuery> {
  const result = listPageQuery.safeParse({ count: pick(query, 'count'), page_start: pick(query, 'page_start') });
  if (!result.success) throw new ValidationError(result.error.issues[0]!.message);
  return result.data;
}

function pick(query: unknown, name: string): unknown {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) throw new ValidationError(`${name} may be given once`);
  return value;
}

/** One page of the items, newest first, from the cursor on. */
export function pageOf<T extends Listed, V>(items: readonly T[], query: { count: number; page_start?: string }, view: (item: T) => V): ListPage<V> {
  const sorted = [...items].sort(newestFirst);
  let start = 0;
  if (query.page_start !== undefined) {
    const from = positionOf(query.page_start);
    start = sorted.findIndex((item) => newestFirst(from, item) <= 0);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + query.count);
  const next = sorted[start + query.count];
  return { data: page.map(view), pagination: { next_page_start: next ? cursorOf(next) : null } };
}
