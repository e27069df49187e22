// GET /v1/image/:id[.ext] path parsing: which image, in which format (the query: variant-query.ts).
import { NotFoundError, UnprocessableError } from '@pixelfarm/errors';
import { isImageId } from './image-id';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export const UNSUPPORTED_FORMAT_MESSAGE =
  'Sorry, we do not currently support that format. Valid image types are: jpg, webp or png';

const EXTENSIONS: Record<string, OutputFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp' };

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
