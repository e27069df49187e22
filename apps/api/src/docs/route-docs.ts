// Building blocks of the routes' own documentation: named schemas, responses, path parameters
// and the example values /docs and the playground show. Each route states its docs next to its
// handler (routes/*.routes.ts); nothing here lists routes.
import type { z } from 'zod';
import type { NamedSchema, PathParamDoc, ResponseDoc } from './operation-doc';
import * as responses from './response-schemas';

export const EXAMPLE_IMAGE_ID = '0190f5d2-8a4b-7cc1-b1a2-3f4e5d6c7b8a';
export const EXAMPLE_TEMPLATE_ID = 't-6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b';
export const EXAMPLE_TOKEN = '5d41402abc4b2a76b9719d911017c592ae8c4f3e1b1d5c7e9f0a2b4c6d8e0f1a';
/** A snippet every example body can render. */
export const EXAMPLE_SNIPPET = { html: '<div class="card">Hello, pixelfarm</div>', css: '.card{padding:24px;background:#0b7;color:#fff;font:32px sans-serif}' };

export const json = (name: string, schema: z.ZodType): NamedSchema => ({ name, schema });
export const ok = (description: string, name: string, schema: z.ZodType): ResponseDoc => ({ description, json: json(name, schema) });
export const error = (description: string, headers?: Record<string, string>): ResponseDoc => ({
  description,
  json: json('Error', responses.errorBody),
  ...(headers ? { headers } : {}),
});

/** What an image route answers: the bytes, typed by the extension. */
export const IMAGE_CONTENT = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'];
export const imageResponse: ResponseDoc = { description: 'The image (its type follows the extension)', contentTypes: IMAGE_CONTENT };

export const imagePathParam: PathParamDoc = {
  description: 'Image id, optionally with an extension: .png (default), .jpg, .jpeg, .webp or .pdf',
  example: `${EXAMPLE_IMAGE_ID}.png`,
};
export const templatePathParam: PathParamDoc = { description: 'Template id (t-<uuid>)', example: EXAMPLE_TEMPLATE_ID };
export const formatParam: PathParamDoc = { description: 'png, jpg, jpeg, webp or pdf', example: 'png' };
export const htmlPage: ResponseDoc = { description: 'HTML page', contentTypes: ['text/html'] };

export { responses };
