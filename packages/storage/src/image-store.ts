// Where an image's objects live: its accepted request, the rendered original and its variants,
// all under one prefix so that deleting an image removes every object of it.
import type { StorageDriver } from './storage-driver';

/** What is stored next to the image so any variant can be produced later. */
export interface ImageRecord<TRequest = unknown> {
  id: string;
  /** API id of the owning account. */
  account: string;
  created_at: string;
  request: TRequest;
  /** The template (and version) the request was rendered from, when it came from one. */
  template?: { id: string; version: number };
  /**
   * The create as the client sent it, when that is not `request`: a templated create (its
   * template_values and own options), whose request is the html the template rendered.
   */
  definition?: TRequest;
  /**
   * The storage destination captured at creation (@pixelfarm/destinations' DestinationRef):
   * editing the destination later does not change where this image goes, or whether a copy is kept here.
   */
  destination?: { id: string; keep_copy: boolean };
}

export const imageKeys = {
  prefix: (id: string) => `images/${id}/`,
  record: (id: string) => `images/${id}/request.json`,
  original: (id: string) => `images/${id}/original.png`,
  variant: (id: string, name: string) => `images/${id}/variants/${name}`,
  pdf: (id: string) => `images/${id}/variants/document.pdf`,
  /** What was written to the image's storage destination, one small object per destination object. */
  destinationWrite: (id: string, name: string) => `images/${id}/destination/${name}.json`,
};

export class ImageStore {
  constructor(private readonly storage: StorageDriver) {}

  async saveRecord<T>(record: ImageRecord<T>): Promise<void> {
    await this.storage.put(imageKeys.record(record.id), Buffer.from(JSON.stringify(record)), 'application/json');
  }

  async getRecord<T>(id: string): Promise<ImageRecord<T> | null> {
    const raw = await this.storage.get(imageKeys.record(id));
    return raw ? (JSON.parse(raw.toString('utf8')) as ImageRecord<T>) : null;
  }

  async saveOriginal(id: string, png: Buffer): Promise<void> {
    await this.storage.put(imageKeys.original(id), png, 'image/png');
  }

  getOriginal(id: string): Promise<Buffer | null> {
    return this.storage.get(imageKeys.original(id));
  }

  hasOriginal(id: string): Promise<boolean> {
    return this.storage.exists(imageKeys.original(id));
  }

  async deleteImage(id: string): Promise<void> {
    // The record goes last: while it exists a half-deleted image can still be deleted again.
    const keys = await this.storage.list(imageKeys.prefix(id));
    const record = imageKeys.record(id);
    await Promise.all(keys.filter((k) => k !== record).map((k) => this.storage.delete(k)));
    await this.storage.deletePrefix(imageKeys.prefix(id));
  }
}
