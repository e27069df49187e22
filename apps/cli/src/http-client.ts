// The pixelfarm HTTP API as the CLI uses it: create an image, download it. Transient faults
// (429, 5xx, network errors, timeouts) are retried with backoff, honouring Retry-After; other
// 4xx answers fail the line at once; 401 stops the whole run, since every line would fail.
import type { Connection, ImageFormat } from './args';
import { retryDelay, parseRetryAfter, type BackoffOptions } from './backoff';
import { AbortedError, FatalError, RequestError } from './errors';

export interface CreatedImage {
  id: string;
  url: string;
}

export interface RetryEvent {
  /** What was being done: "create" or "download". */
  what: string;
  /** Retry number about to happen (1 = first retry). */
  retry: number;
  delayMs: number;
  reason: string;
}

export interface ClientOptions {
  connection: Connection;
  /** Retries after the first attempt. */
  retries: number;
  /** Per attempt, including reading the body. */
  timeoutMs: number;
  backoff?: BackoffOptions;
  onRetry?: (event: RetryEvent) => void;
}

/** A fault worth another attempt; never leaves this module. */
class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class PixelfarmClient {
  private readonly authorization: string;

  constructor(private readonly opts: ClientOptions) {
    const { userId, apiKey } = opts.connection;
    this.authorization = `Basic ${Buffer.from(`${userId}:${apiKey}`).toString('base64')}`;
  }

  /** POST /v1/image: resolves once the server has stored the image (the API's default). */
  createImage(body: Record<string, unknown>, signal: AbortSignal): Promise<CreatedImage> {
    return this.withRetry('create', signal, async (attemptSignal) => {
      const res = await fetch(`${this.opts.connection.server}/v1/image`, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: attemptSignal,
      });
      if (!res.ok) throw await errorOf(res);
      const text = await res.text();
      let parsed: Partial<CreatedImage>;
      try {
        parsed = JSON.parse(text) as Partial<CreatedImage>;
      } catch {
        // A 200 that is not the API's JSON (a proxy's page, a cut-off body): worth another try.
        throw new TransientError(`the server answered 200 with a body that is not JSON: ${snippet(text)}`);
      }
      if (typeof parsed.id !== 'string' || typeof parsed.url !== 'string') {
        throw new TransientError(`the server answered 200 without id and url: ${snippet(text)}`);
      }
      return { id: parsed.id, url: parsed.url };
    });
  }

  /** GET the image URL in `format`. Image GETs need no credentials (image URLs are public, as hcti serves them), so none are sent. */
  download(imageUrl: string, format: ImageFormat, signal: AbortSignal): Promise<Buffer> {
    const target = withExtension(imageUrl, format);
    return this.withRetry('download', signal, async (attemptSignal) => {
      const res = await fetch(target, { signal: attemptSignal });
      if (!res.ok) throw await errorOf(res);
      const type = res.headers.get('content-type') ?? '';
      const data = Buffer.from(await res.arrayBuffer());
      if (!/^(image\/|application\/pdf)/.test(type)) {
        throw new RequestError(`GET ${target} answered ${type || 'no content type'}, not an image: ${snippet(data.toString('utf8'))}`);
      }
      if (data.length === 0) throw new TransientError(`GET ${target} answered an empty body`);
      return data;
    });
  }

  private async withRetry<T>(what: string, signal: AbortSignal, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      if (signal.aborted) throw new AbortedError();
      const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs)]);
      try {
        return await attempt(attemptSignal);
      } catch (raw) {
        if (signal.aborted) throw new AbortedError();
        const err = classify(raw, this.opts.timeoutMs);
        if (!(err instanceof TransientError)) throw err;
        if (retry >= this.opts.retries) {
          throw new RequestError(`${err.message} (gave up after ${retry + 1} attempt${retry === 0 ? '' : 's'})`);
        }
        const delayMs = retryDelay(retry + 1, err.retryAfterMs, this.opts.backoff);
        this.opts.onRetry?.({ what, retry: retry + 1, delayMs, reason: err.message });
        await sleep(delayMs, signal);
      }
    }
  }
}

/** The image URL with the extension of `format` in place of any it had (/v1/image/:id.<ext>). */
export function withExtension(imageUrl: string, format: ImageFormat): string {
  const url = new URL(imageUrl);
  url.pathname = `${url.pathname.replace(/\.(png|jpe?g|webp|pdf)$/i, '')}.${format}`;
  return url.toString();
}

async function errorOf(res: Response): Promise<Error> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // The status alone still says what happened.
  }
  let message = snippet(text) || res.statusText;
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not the API's JSON shape (a proxy's page): keep the text.
  }
  const what = `HTTP ${res.status}: ${message}`;
  if (res.status === 429 || res.status >= 500) return new TransientError(what, parseRetryAfter(res.headers.get('retry-after')));
  if (res.status === 401) {
    return new FatalError(`the server rejected the credentials (${what}): set --user-id/--api-key or PIXELFARM_USER_ID/PIXELFARM_API_KEY`);
  }
  return new RequestError(what, res.status);
}

/** Errors thrown by fetch → transient (network, timeout) or as they are. */
function classify(err: unknown, timeoutMs: number): Error {
  if (err instanceof TransientError || err instanceof RequestError || err instanceof FatalError) return err;
  if (isError(err) && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return new TransientError(`no complete answer within ${timeoutMs / 1000} s`);
  }
  // By name, not instanceof: fetch's errors may come from another realm (jest's sandbox, for one).
  if (isError(err) && err.name === 'TypeError') {
    // undici reports network faults as TypeError("fetch failed") with the system error as cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = [cause?.code, cause?.message ?? err.message].filter(Boolean).join(': ');
    return new TransientError(`network error: ${detail}`);
  }
  return isError(err) ? new TransientError(err.message) : new TransientError(String(err));
}

function isError(err: unknown): err is Error {
  return typeof err === 'object' && err !== null && typeof (err as Error).name === 'string' && typeof (err as Error).message === 'string';
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
