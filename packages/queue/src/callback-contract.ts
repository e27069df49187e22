// The callback queue's contract: one job per notification to a client's callback_url. The body
// is fixed when the job is made, so every retry sends the same bytes; it is signed only when
// sent, with the account's current API key (secrets never sit in Redis).
export const CALLBACK_QUEUE = 'callback-v1';

export const CALLBACK_JOB = 'deliver';

export interface CallbackJobData {
  /** API id whose key signs the body. */
  account: string;
  /** The callback_url, as validated at create time (its address is checked when sent). */
  url: string;
  /** The JSON body, exactly as it is sent and signed. */
  body: string;
  /** What the notification is about, for logs and metrics. */
  kind: 'image' | 'batch';
  /** The request (or the render job's request) that led to it, for the worker's log lines. */
  requestId?: string;
}

/** Body POSTed when an image is stored (`done`) or has failed for good (`failed`). */
export interface ImageCallbackBody {
  id: string;
  url: string;
  status: 'done' | 'failed';
  error?: string;
  /** Where the image's storage destination copy went; `failed` with why when it could not be written. */
  storage_destination?: { status: 'stored' | 'failed'; bucket: string | null; key: string | null; error?: string };
}

/** Body POSTed once every item of a bulk job has finished. */
export interface BatchCallbackBody {
  batch_id: string;
  total: number;
  done: number;
  failed: number;
  status_url: string;
}

/**
 * Job ids make enqueueing idempotent: a render re-run (stalled worker) or an outcome seen twice
 * adds no second notification while the first job is kept.
 */
export const callbackJobIds = {
  image: (imageId: string) => `image-${imageId}`,
  batch: (batchId: string) => `batch-${batchId}`,
};
