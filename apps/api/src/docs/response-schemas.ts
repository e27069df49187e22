// Shapes of the API's responses, for the OpenAPI document only: request shapes come from
// @pixelfarm/schemas (the validators); responses are built by the services, so these describe them.
import { z } from 'zod';

/** The one JSON error shape of API.md. */
export const errorBody = z.object({
  error: z.string().meta({ description: 'HTTP reason phrase', examples: ['Bad Request'] }),
  statusCode: z.number().int().meta({ examples: [400] }),
  message: z.string().meta({ description: 'What to fix, in words a user understands', examples: ['HTML is Required'] }),
});

export const imageRef = z.object({
  id: z.string().meta({ description: 'Image id (unguessable)' }),
  url: z.string().meta({ description: 'Where the image is served: PUBLIC_URL/v1/image/<id>[.<format>]' }),
});

export const imageBatch = z.object({ images: z.array(imageRef).meta({ description: 'One image per variation, in order' }) });

export const bulkJobAccepted = z.object({
  batch_id: z.string().meta({ description: 'Id of the bulk job' }),
  status_url: z.string().meta({ description: 'Where its progress is read: PUBLIC_URL/v1/batches/<batch_id>' }),
});

export const bulkJobStatus = z.object({
  batch_id: z.string(),
  total: z.number().int(),
  queued: z.number().int().meta({ description: 'Items waiting in the bulk lane or rendering' }),
  done: z.number().int(),
  failed: z.number().int(),
  images: z.array(
    z.object({
      index: z.number().int().meta({ description: 'Position in variations' }),
      id: z.string(),
      url: z.string(),
      status: z.enum(['queued', 'done', 'failed']),
      error: z.string().optional().meta({ description: 'Why a failed item failed' }),
    }),
  ),
  next_page_token: z.string().optional(),
});

export const imageDeleted = z.object({ id: z.string(), status: z.literal('deleted') });

export const imagesDeleted = z.object({ ids: z.array(z.string()), status: z.literal('deleted') });

export const imageListing = z.object({
  images: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      created_at: z.string().meta({ description: 'ISO 8601 time of creation' }),
      metadata: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
  next_page_token: z.string().nullable(),
  has_next_page: z.boolean(),
});

const countsByBucket = z.record(z.string(), z.number().int()).meta({ description: 'Images rendered per bucket, keyed by its ISO start time' });

export const usageReport = z.object({
  data: z.object({ hour: countsByBucket, day: countsByBucket, month: countsByBucket }),
  per_billing_period: z.array(z.record(z.string(), z.unknown())),
});

export const templateRef = z.object({
  template_id: z.string().meta({ description: 't-<uuid>' }),
  template_version: z.number().int().meta({ description: 'Version: the ms timestamp of this edit' }),
});

export const templateListing = z.object({
  data: z.array(
    z.looseObject({
      id: z.string(),
      version: z.number().int(),
      name: z.string().nullable(),
      description: z.string().nullable(),
      html: z.string(),
      css: z.string().nullable(),
    }),
  ),
  pagination: z.object({ next_page_start: z.number().nullable() }),
});

export const health = z.object({ status: z.literal('ok') });

export const readiness = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.string()).meta({ description: 'State of each dependency: ok, down, draining…' }),
});
