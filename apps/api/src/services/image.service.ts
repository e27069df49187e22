// Creating and deleting images: the API's domain logic, free of HTTP (reading: variant.service.ts).
import { NotFoundError } from '@pixelfarm/errors';
import { removeAccountImage, type AccountImageIndex, type ImageStore } from '@pixelfarm/storage';
import { isImageId, type CreateImageRequest } from '@pixelfarm/schemas';
import type { CreateHooks, CreatedImage, ImageCreateService } from './image-create.service';

export interface ImageServiceDeps {
  images: Pick<ImageStore, 'getRecord' | 'deleteImage'>;
  creator: Pick<ImageCreateService, 'create'>;
  index: Pick<AccountImageIndex, 'remove'>;
}

export type { CreatedImage };

export class ImageService {
  constructor(private readonly deps: ImageServiceDeps) {}

  /** Accepts the request, renders it and returns once the image is stored (see ImageCreateService). */
  create(account: string, request: CreateImageRequest, hooks: CreateHooks = {}): Promise<CreatedImage> {
    return this.deps.creator.create(account, request, hooks);
  }

  /** Removes every object of the image; only its owner may (others see 404). */
  async delete(account: string, id: string): Promise<void> {
    const record = await this.deps.images.getRecord(id);
    if (!record || record.account !== account) throw new NotFoundError('Image not found');
    await removeAccountImage(this.deps, account, id, record);
  }

  /** Deletes several images of the account; if any is not the account's, none is deleted (404). */
  async deleteMany(account: string, ids: readonly string[]): Promise<void> {
    const records = await Promise.all(ids.map((id) => (isImageId(id) ? this.deps.images.getRecord(id) : null)));
    const missing = ids.find((_, i) => !records[i] || records[i]!.account !== account);
    if (missing !== undefined) throw new NotFoundError(`Image not found: ${missing}`);
    for (const id of new Set(ids)) await this.delete(account, id);
  }
}
