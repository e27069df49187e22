// GET /v1/images: an account's images, newest first, read from its index in object storage.
// The page token is the last index key of a page, opaque to clients (base64url).
import { ValidationError } from '@pixelfarm/errors';
import type { AccountImageEntry, AccountImageIndex } from '@pixelfarm/storage';
import { storedOnlyAtDestination } from '@pixelfarm/destinations';

export interface ListedImage {
  id: string;
  url: string;
  created_at: string;
  metadata: Record<string, unknown> | null;
  /** Where the image's storage destination copy went, for an image created with one. */
  storage_destination?: { id: string; status: 'pending' | 'stored' | 'failed'; error?: string };
}

export interface ImageListing {
  images: ListedImage[];
  next_page_token: string | null;
  has_next_page: boolean;
}

export interface ImageListServiceDeps {
  index: Pick<AccountImageIndex, 'page' | 'ownsKey'>;
  publicUrl: string;
}

export class ImageListService {
  constructor(private readonly deps: ImageListServiceDeps) {}

  async list(account: string, count: number, pageToken?: string): Promise<ImageListing> {
    const after = pageToken === undefined ? undefined : this.decodeToken(account, pageToken);
    const page = await this.deps.index.page(account, count, after);
    return {
      images: page.entries.map((e) => this.listed(e)),
      next_page_token: page.nextAfter ? Buffer.from(page.nextAfter).toString('base64url') : null,
      has_next_page: page.nextAfter !== undefined,
    };
  }

  private listed(e: AccountImageEntry): ListedImage {
    const destination = e.storage_destination;
    // The url its create answered: /v1/store for an image kept only in the account's bucket.
    return {
      id: e.id,
      url: `${this.deps.publicUrl}/v1/${storedOnlyAtDestination({ destination }) ? 'store' : 'image'}/${e.id}${e.ext}`,
      created_at: e.created_at,
      metadata: e.metadata ?? null,
      ...(destination
        ? { storage_destination: { id: destination.id, status: destination.status, ...(destination.error !== undefined ? { error: destination.error } : {}) } }
        : {}),
    };
  }

  /** A token is only ever a key of this account's own index: anything else is refused. */
  private decodeToken(account: string, token: string): string {
    const key = /^[A-Za-z0-9_-]{1,400}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
    if (!this.deps.index.ownsKey(account, key)) throw new ValidationError('page_token is not valid: use next_page_token from a previous page');
    return key;
  }
}
