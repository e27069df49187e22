// Sends a stored image: validators and caching headers, 304, HEAD, then either its bytes (a
// stream from storage, or the buffer of a variant just produced) or a 302 to a presigned URL of
// the object (SERVE_MODE=redirect).
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { NotFoundError } from '@pixelfarm/errors';
import type { S3Presigner, StorageDriver } from '@pixelfarm/storage';
import type { StoredImage } from '../services/variant.service';

/** Objects never change under their key (a new render is a new id), so caches may keep them. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface ImageDeliveryOptions {
  storage: Pick<StorageDriver, 'stream'>;
  mode: 'stream' | 'redirect';
  /** Present in redirect mode. */
  presigner?: Pick<S3Presigner, 'presignGet'>;
  redirectTtlS: number;
}

export interface SendOptions {
  /** dl=1: an attachment saved under this name. */
  download: boolean;
  filename: string;
  /** Cache-Control of an object that may be replaced under its key (an Open Graph image); default IMMUTABLE. */
  cacheControl?: string;
}

export type ImageDelivery = (req: Request, res: Response, image: StoredImage, options: SendOptions) => Promise<void>;

export function createImageDelivery(opts: ImageDeliveryOptions): ImageDelivery {
  if (opts.mode === 'redirect' && !opts.presigner) throw new Error('redirect mode needs a presigner');
  return async (req, res, image, { download, filename, cacheControl = IMMUTABLE }) => {
    const disposition = download ? `attachment; filename="${filename}"` : undefined;
    res.set({ ETag: etagOf(image), 'Cache-Control': cacheControl });
    if (disposition) res.set('Content-Disposition', disposition);
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (opts.mode === 'redirect') {
      const url = await opts.presigner!.presignGet(image.key, {
        expiresInS: opts.redirectTtlS,
        contentType: image.contentType,
        cacheControl,
        contentDisposition: disposition,
      });
      // The redirect is only good while its signature is: let caches keep it for half of that.
      res.set('Cache-Control', `public, max-age=${Math.floor(opts.redirectTtlS / 2)}`);
      res.redirect(302, url);
      return;
    }
    res.set({ 'Content-Type': image.contentType, 'Content-Length': String(image.size) });
    if (req.method === 'HEAD') {
      res.status(200).end();
      return;
    }
    if (image.body) {
      res.status(200).end(image.body);
      return;
    }
    const object = await opts.storage.stream(image.key);
    if (!object) throw new NotFoundError('Image not found');
    res.set('Content-Length', String(object.size)).status(200);
    // A failure mid-stream cannot become a JSON error any more: the error handler drops the socket.
    await pipeline(object.body, res);
  };
}

/** Derived from the key and size, so a 304 or HEAD needs no read of the object. */
function etagOf(image: StoredImage): string {
  return `"${createHash('sha1').update(image.key).digest('base64url').slice(0, 22)}-${image.size.toString(36)}"`;
}
