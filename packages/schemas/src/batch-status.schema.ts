// GET /v1/batches/:id query: page size (limit) and the opaque token of the next page.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { pageSize } from './fields';

/** Largest page of a batch's images one GET returns. */
export const BATCH_PAGE_MAX = 1000;

/** The query of GET /v1/batches/:id: the validator of parseBatchStatusQuery and the source of its docs. */
export const batchStatusQuerySchema = z.object({
  limit: pageSize('limit', BATCH_PAGE_MAX).optional(),
  page_token: z.string({ error: 'page_token must be a string' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'page_token is not valid: use next_page_token from a previous page').optional(),
});

export interface BatchStatusQuery {
  limit: number;
  /** Index of the first image of the page. */
  start: number;
}

/** The page token is the index the next page starts at (base64url), opaque to clients. */
export function batchPageToken(start: number): string {
  return Buffer.from(`i${start}`).toString('base64url');
}

export function parseBatchStatusQuery(query: Record<string, unknown>, defaultLimit: number): BatchStatusQuery {
  const parsed = batchStatusQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
  let start = 0;
  if (parsed.data.page_token !== undefined) {
    const match = /^i(\d{1,9})$/.exec(Buffer.from(parsed.data.page_token, 'base64url').toString('utf8'));
    if (!match) throw new ValidationError('page_token is not valid: use next_page_token from a previous page');
    start = Number(match[1]);
  }
  return { limit: parsed.data.limit ?? Math.min(defaultLimit, BATCH_PAGE_MAX), start };
}
