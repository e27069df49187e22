// Storage destinations (hcti guides/advanced/storage-destinations): a bucket of the account that
// asked, where rendered images are also (or only) written. The types every side shares: the API
// manages destinations and captures one when an image is created; the worker writes to it.

import type { StorageProvider } from './destination-providers';

/** A destination as its account sees it: every setting except the secret, which is never returned. */
export interface StorageDestination {
  /** "sd-<uuid>". */
  id: string;
  /** API id of the owning account. */
  account: string;
  name: string;
  /** hcti's provider; the store is reached through `endpoint` whatever it is. */
  provider: StorageProvider;
  /** aws_s3: the customer's IAM role this server assumes (with the account's external id); null otherwise. */
  role_arn: string | null;
  /** cloudflare_r2: the account id and jurisdiction (eu, fedramp) its endpoint is made of; null otherwise. */
  cloudflare_account_id: string | null;
  cloudflare_jurisdiction: 'eu' | 'fedramp' | null;
  /** S3 endpoint (https://host[:port]); null for AWS S3, reached through its region. */
  endpoint: string | null;
  region: string;
  /** Path-style addressing (https://host/bucket/key) instead of virtual-host (https://bucket.host/key). */
  force_path_style: boolean;
  /** The bucket must already exist: it is never created. */
  bucket: string;
  /** Folder-like key prefix without leading or trailing slashes; '' for none. */
  prefix: string;
  /** '' for an aws_s3 destination, which signs with the role's temporary credentials. */
  access_key_id: string;
  /** false is hcti's "Disable HCTI Storage": the destination holds the only copy. */
  keep_copy: boolean;
  enabled: boolean;
  /** The last connection test: when, whether its write succeeded, and why not; null before any. */
  last_tested_at: string | null;
  last_test_succeeded: boolean | null;
  last_test_error: string | null;
  created_at: string;
  updated_at: string;
}

/** What an image captures when it is created: editing the destination later changes nothing for it. */
export interface DestinationRef {
  id: string;
  keep_copy: boolean;
}

/** The outcome of one object, in hcti's StoreImageResult object format (plus why it failed). */
export interface DestinationObjectResult {
  status: 'stored' | 'already_stored' | 'failed' | 'not_attempted';
  target: 'storage_destination' | 'hcti_storage';
  bucket: string | null;
  key: string | null;
  /** Why a write failed: shown to the image's owner (listing, batch status, callback), never a secret. */
  error?: string;
}

/** One open destination: writes and reads objects under its prefix, with its own credentials. */
export interface DestinationTarget {
  readonly id: string;
  readonly bucket: string;
  /** The object key of a name under the destination's prefix: `<prefix>/<name>`, or `<name>` without one. */
  key(name: string): string;
  /** Writes the object; the SDK retries transient faults with backoff. Throws DestinationError when it still fails. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes, or null when it does not exist. Throws DestinationError when it cannot be read. */
  get(key: string): Promise<Buffer | null>;
}

/** The base object is the PDF for an image that asks for one (hcti: "or .pdf for an image with pdf_options defined"). */
export function baseIsPdf(request: { pdf_options?: unknown; format?: string }): boolean {
  return request.pdf_options !== undefined || request.format === 'pdf';
}

/** An image kept only in its storage destination: no copy here, no public url (its owner PUTs /v1/store instead, as on hcti). */
export function storedOnlyAtDestination(image: { destination?: DestinationRef }): boolean {
  return image.destination !== undefined && !image.destination.keep_copy;
}

/** Object names of an image in a destination: the base `<id>.png` (or .pdf), variants `<id>_<variant>.<ext>`. */
export const destinationNames = {
  base: (imageId: string, ext: 'png' | 'pdf') => `${imageId}.${ext}`,
  variant: (imageId: string, variant: string, ext: string) => `${imageId}_${variant}.${ext}`,
};

/** The destinations of every account, as the create path and the writers use them. */
export interface DestinationDirectory {
  /**
   * The reference an image records, from the account's enabled destination `id`. Throws
   * ValidationError (400) when the id is unknown, disabled or another account's.
   */
  capture(account: string, id: string): Promise<DestinationRef>;
  /** The destination opened for writing. Throws DestinationError when it was disabled or deleted since. */
  open(account: string, id: string): Promise<DestinationTarget>;
}

/** A destination could not be used: deleted, disabled, refused by the egress policy, or its store failed. */
export class DestinationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DestinationError';
  }
}
