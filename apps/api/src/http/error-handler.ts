// Maps every error to the API's one JSON error shape (errorBody in docs/response-schemas.ts), once. 5xx bodies stay generic (with a
// request id to find the stack in the log); nothing internal is ever echoed.
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { AppError, NotFoundError, UnavailableError } from '@pixelfarm/errors';
import { isRedisUnavailable } from '@pixelfarm/queue';
import type { Logger } from '@pixelfarm/config';
import { FORM_MAX_FIELDS } from './body-parsers';
import { requestIdOf } from './access-log.middleware';

export function sendError(res: Response, status: number, message: string, headers: Record<string, string> = {}, title?: string): void {
  res.set(headers).status(status).json({ error: title ?? STATUS_CODES[status] ?? 'Error', statusCode: status, message });
}

/** body-parser and multer errors carry a status or code of their own: translate them. */
function clientErrorOf(err: unknown): { status: number; message: string } | undefined {
  const e = err as { type?: string; status?: number; code?: string; name?: string; field?: string };
  if (e?.type === 'parameters.too.many' || e?.code === 'LIMIT_FIELD_COUNT') {
    return { status: 413, message: `The form body has more than ${FORM_MAX_FIELDS} fields` };
  }
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FIELD_VALUE') {
    return { status: 413, message: 'The request body is larger than this service accepts' };
  }
  if (e?.type === 'entity.parse.failed') return { status: 400, message: 'The request body is not valid JSON' };
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return { status: 415, message: 'Unsupported body encoding: send UTF-8' };
  }
  if (e?.name === 'MulterError') return { status: 400, message: 'The form body could not be read' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, message: 'The request could not be read' };
  }
  return undefined;
}

/**
 * @param retryAfterS the Retry-After sent with every 503 that does not carry its own
 *   (QUEUE_RETRY_AFTER_S): a 503 here always means "try again", and clients back off by it.
 */
export function errorHandler(logger: Logger, retryAfterS: number): ErrorRequestHandler {
  return (caught, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Redis away on any request path: whichever call met it, the answer is a 503.
    const err = isRedisUnavailable(caught) ? new UnavailableError('The service is temporarily unavailable, please retry', { cause: caught }) : caught;
    if (err instanceof AppError) {
      if (err.status >= 500) logger.warn('request failed', { path: req.path, code: err.code, err: err.cause ?? err });
      const headers = err.status === 503 ? { 'Retry-After': String(retryAfterS), ...err.headers } : err.headers;
      sendError(res, err.status, err.message, headers, err.title);
      return;
    }
    const client = clientErrorOf(err);
    if (client) {
      sendError(res, client.status, client.message);
      return;
    }
    // The line carries the request id (the access log's scope); the body names it for support.
    logger.error('unhandled error', { path: req.path, err });
    sendError(res, 500, `Something went wrong on our side (request ${requestIdOf(req)})`);
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('Not found'));
};
