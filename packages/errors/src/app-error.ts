// Typed domain errors: each carries a stable `code` and the HTTP status it maps to.
// Services throw these; only the API's error middleware turns them into responses.

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra response headers (e.g. Retry-After), applied by the HTTP error mapper. */
  readonly headers: Record<string, string> = {};
  /** The body's `error` text when it is not the status' reason phrase (hcti's "Plan limit exceeded"). */
  readonly title?: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is malformed or violates a documented limit (400). */
export class ValidationError extends AppError {
  readonly code = 'VALIDATION';
  readonly status = 400;
}

/** Missing or wrong credentials (401). */
export class AuthenticationError extends AppError {
  readonly code = 'UNAUTHENTICATED';
  readonly status = 401;
  constructor(message = 'Authentication required: use HTTP Basic with your API id and API key') {
    super(message);
    this.headers['WWW-Authenticate'] = 'Basic realm="pixelfarm"';
  }
}

/** A signed URL whose token does not match its query (401, hcti's "Invalid token"; no Basic challenge). */
export class InvalidTokenError extends AppError {
  readonly code = 'INVALID_TOKEN';
  readonly status = 401;
  constructor(message = 'Invalid token') {
    super(message);
  }
}

/** Authenticated, but not allowed to do this (403). */
export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
}

/** The request contradicts something the account has already (409), e.g. a second configuration for one origin. */
export class ConflictError extends AppError {
  readonly code = 'CONFLICT';
  readonly status = 409;
}

/** Unknown id, or one owned by another account (404: never reveal which). */
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
}

/** A syntactically valid request the service cannot satisfy, e.g. an unsupported format (422). */
export class UnprocessableError extends AppError {
  readonly code = 'UNPROCESSABLE';
  readonly status = 422;
}

/** Over a rate, quota or queue cap (429). */
export class TooManyRequestsError extends AppError {
  readonly code = 'TOO_MANY_REQUESTS';
  readonly status = 429;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

/**
 * The account's image allowance for the billing period is spent (429 with hcti's plan-limit body).
 * Waiting does not help, so no Retry-After: the allowance comes back with the next period.
 */
export class PlanLimitError extends AppError {
  readonly code = 'PLAN_LIMIT';
  readonly status = 429;
  override readonly title = 'Plan limit exceeded';
}

/** A dependency (Redis, storage, browser) is down or the render did not finish in time (503). */
export class UnavailableError extends AppError {
  readonly code = 'UNAVAILABLE';
  readonly status = 503;
}

/** An image whose render is still queued or running (503): the client retries after Retry-After seconds. */
export class StillRenderingError extends UnavailableError {
  constructor(retryAfterSeconds = 2) {
    super('The image is still rendering, please retry');
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** The renderer failed for a reason that retrying will not fix, caused by the request (400). */
export class RenderInputError extends AppError {
  readonly code = 'RENDER_INPUT';
  readonly status = 400;
}

/** Start-up configuration is invalid; the process prints the message and exits 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The one definition of "the request's fault" for renders and their follow-up: a client error
 * that asking again will not fix. 429 is the client's to retry, so it is not one. A render that
 * fails this way fails at once, without retries, and leaves no image behind.
 */
export function isInputFailure(err: unknown): err is AppError {
  return err instanceof AppError && err.status >= 400 && err.status < 500 && err.status !== 429;
}
