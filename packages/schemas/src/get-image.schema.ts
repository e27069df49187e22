// GET /v1/image/:id[.ext] path and query parsing: the output variant a client asked for.
import { z } from 'zod';
import { NotFoundError, UnprocessableError, ValidationError } from '@pixelfarm/errors';
import { isImageId } from './image-id';
import { formNumber } from './fields';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export const UNSUPPORTED_FORMAT_MESSAGE =
  'Sorry, we do not currently support that format. Valid image types are: jpg, webp or png';

const EXTENSIONS: Record<string, OutputFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp' };

export interface ImageVariant {
  format: OutputFormat;
  width?: number;
  height?: number;
}

/** Splits "<id>.<ext>" and checks both parts: a bad id is 404, an unknown extension 422. */
export function parseImagePath(param: string): { id: string; format: OutputFormat | 'pdf' } {
  const dot = param.indexOf('.');
  const id = dot === -1 ? param : param.slice(0, dot);
  const ext = dot === -1 ? 'png' : param.slice(dot + 1).toLowerCase();
  if (!isImageId(id)) throw new NotFoundError('Image not found');
  // PDF is not an encoding of the PNG: the browser prints the stored request (see the PDF service).
  if (ext === 'pdf') return { id, format: 'pdf' };
  const format = EXTENSIONS[ext];
  if (!format) throw new UnprocessableError(UNSUPPORTED_FORMAT_MESSAGE);
  return { id, format };
}

/** The query of an image GET: the validator of parseVariantQuery and the source of its docs. */
export function variantQuerySchema(maxDimension: number) {
  return z.object({
    width: formNumber('width', 1, maxDimension, { int: true }).optional(),
    height: formNumber('height', 1, maxDimension, { int: true }).optional(),
  });
}

export function parseVariantQuery(query: Record<string, unknown>, format: OutputFormat, maxDimension: number): ImageVariant {
  const result = variantQuerySchema(maxDimension).safeParse(query);
  if (!result.success) throw new ValidationError(result.error.issues[0]!.message);
  return { format, ...result.data };
}
