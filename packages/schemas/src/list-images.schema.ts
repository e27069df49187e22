// GET /v1/images query: page size (count ≤ 50) and the opaque token of the next page.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { pageSize } from './fields';

/** Largest page the hosted API serves; also the default page size. */
export const LIST_MAX_COUNT = 50;

/** The query of GET /v1/images: the validator of parseListImagesQuery and the source of its docs. */
export const listImagesQuerySchema = z.object({
  count: pageSize('count', LIST_MAX_COUNT).optional(),
  page_token: z.string({ error: 'page_token must be a string' }).min(1, 'page_token must not be empty').optional(),
});

export interface ListImagesQuery {
  count: number;
  page_token?: string;
}

export function parseListImagesQuery(query: Record<string, unknown>): ListImagesQuery {
  const parsed = listImagesQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
  return { count: parsed.data.count ?? LIST_MAX_COUNT, page_token: parsed.data.page_token };
}
