// Removing an image an account owns, the one way: a user's DELETE, a create whose render
// cannot happen, and a bulk item that failed on its input all go through here.
import type { AccountImageIndex } from './account-index';
import type { ImageRecord, ImageStore } from './image-store';

export interface ImageRemovalDeps {
  images: Pick<ImageStore, 'getRecord' | 'deleteImage'>;
  index: Pick<AccountImageIndex, 'remove'>;
}

/**
 * The listing entry goes first: should the rest fail, the image is unlisted but its record
 * remains, so removing it again still works. `record` saves the read when the caller has it.
 */
export async function removeAccountImage(deps: ImageRemovalDeps, account: string, id: string, record?: ImageRecord | null): Promise<void> {
  const found = record === undefined ? await deps.images.getRecord(id) : record;
  if (found) await deps.index.remove(account, found.created_at, id);
  await deps.images.deleteImage(id);
}
