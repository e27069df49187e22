// Shapes of the API's responses, for the OpenAPI document only: request shapes come from
// @pixelfarm/schemas (the validators); responses are built by the services, so these describe them.
import { z } from 'zod';

/** The one JSON error shape every error answers with (error-handler.ts). */
export const errorBody = z.object({
  error: z.string().meta({ description: 'HTTP reason phrase', examples: ['Bad Request'] }),
  statusCode: z.number().int().meta({ examples: [400] }),
  message: z.string().meta({ description: 'What to fix, in words a user understands', examples: ['HTML is Required'] }),
});

export const imageRef = z.object({
  id: z.string().meta({ description: 'Image id (unguessable)' }),
  url: z.string().meta({
    description: 'Where the image is served: PUBLIC_URL/v1/image/<id>[.<format>]; for an image kept only in its storage destination, PUBLIC_URL/v1/store/<id>[.<format>], to PUT with your credentials',
  }),
});

/** Where an image's storage destination copy went (images with storage_destination_id). */
const destinationOutcome = z.object({
  status: z.enum(['pending', 'stored', 'failed']).meta({ description: 'pending until the render writes it; failed once the write failed for good' }),
  error: z.string().optional().meta({ description: 'Why the write failed' }),
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
      storage_destination: destinationOutcome
        .omit({ status: true })
        .extend({ status: z.literal('failed') })
        .optional()
        .meta({ description: 'Present when the image is done but its storage destination copy could not be written' }),
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
      storage_destination: destinationOutcome.extend({ id: z.string() }).optional().meta({ description: 'The storage destination of an image created with storage_destination_id' }),
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
      template_type: z.literal('html_css'),
      id: z.string(),
      version: z.number().int(),
      created_at: z.string(),
      updated_at: z.string(),
      name: z.string().nullable(),
      description: z.string().nullable(),
      html: z.string(),
      css: z.string().nullable(),
    }),
  ),
  pagination: z.object({ next_page_start: z.number().nullable().meta({ description: 'max_version of the next page; null on the last' }) }),
});

export const health = z.object({ status: z.literal('ok') });

export const readiness = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  checks: z.record(z.string(), z.string()).meta({ description: 'State of each dependency: ok, down, draining…' }),
});

/** One object of a StoreImageResult (hcti's storage destinations guide, "Store response"). */
const storedObject = z.object({
  status: z.enum(['stored', 'already_stored', 'failed', 'not_attempted']),
  target: z.enum(['storage_destination', 'hcti_storage']).meta({ description: "storage_destination: your bucket; hcti_storage: this service's storage" }),
  bucket: z.string().nullable(),
  key: z.string().nullable().meta({ description: 'The exact object key, with the prefix' }),
});

export const storeImageResult = z.object({
  outcome: z.enum(['complete', 'partial', 'failed']),
  baseResult: storedObject.meta({ description: 'The original PNG, or the PDF of an image created with pdf_options' }),
  transformationResult: storedObject.nullable().meta({ description: 'The variant the URL asks for; null when it asks for none' }),
  success: z.boolean().meta({ description: 'true only for complete' }),
  message: z.string().meta({ description: 'What happened, for a person; not for program logic' }),
  statusCode: z.union([z.literal(200), z.literal(424)]),
  error: z.string().optional().meta({ description: 'Short category of a partial or failed outcome' }),
  referenceId: z.string().optional().meta({ description: 'The request id (X-Request-Id) of a partial or failed outcome' }),
});
