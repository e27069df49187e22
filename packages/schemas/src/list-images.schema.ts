// GET /v1/images query: page size (count ≤ 50) and the opaque token of the next page.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';

/** Largest page the hosted API serves; also the default page size. */
export const LIST_MAX_COUNT = 50;

const countMessage = `count must be a whole number from 1 to ${LIST_MAX_COUNT}`;

/** The query of GET /v1/images: the validator of parseListImagesQuery and the source of its docs. */
export const listImagesQuerySchema = z.object({
  count: z
    .string({ error: countMessage })
    .regex(/^\d{1,3}$/, countMessage)
    .transform(Number)
    .refine((n) => n >= 1 && n <= LIST_MAX_COUNT, countMessage)
    .optional(),
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
