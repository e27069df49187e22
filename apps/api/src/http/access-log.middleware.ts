// One access-log line per request (pino-http), and the request's id on every line logged while
// it is handled: the id comes from a well-formed X-Request-Id or is made here, is echoed in the
// response, travels in the render jobs the request queues (RenderQueue's requestId), and names
// the request in 5xx bodies so a user's report finds the stack in the log.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import pinoHttp from 'pino-http';
import { pinoLoggerOf, type Logger } from '@pixelfarm/config';

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** An id a client or proxy may hand us; anything else is replaced, so logs stay one token per id. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  return String((req as { id?: unknown }).id ?? '');
}

/** The route pattern (`/v1/image/:file`), not the path, so that lines group by route. */
function routeOf(req: Request): string {
  return req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

/** What an access line says about a request: no query (it can hold html or a signature), no headers. */
function accessFields(req: IncomingMessage, res: ServerResponse) {
  const r = req as Request;
  return {
    method: r.method,
    route: routeOf(r),
    path: r.path ?? r.url,
    status: res.statusCode,
    account: ((res as Response).locals?.account as string | undefined) ?? undefined,
  };
}

export function accessLog(logger: Logger): RequestHandler[] {
  const base = pinoLoggerOf(logger);
  if (!base) throw new Error('accessLog needs a logger made by createLogger');
  const http = pinoHttp({
    logger: base.child({ component: 'http' }),
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // req.log and the access line bind only the id; the line's own fields are accessFields.
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'reqId', responseTime: 'durationMs' },
    customSuccessObject: (req, res, val: { durationMs: number }) => ({ ...accessFields(req, res), durationMs: val.durationMs }),
    customErrorObject: (req, res, _err, val: { durationMs: number }) => ({ ...accessFields(req, res), durationMs: val.durationMs }),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    // 5xx are the service's fault; a 4xx is the client's and an ordinary line. Probes, every few
    // seconds from every kubelet and Prometheus, are debug lines unless they fail.
    customLogLevel: (req, res, err) => (err || res.statusCode >= 500 ? 'error' : PROBES.has((req as Request).path) ? 'debug' : 'info'),
  });
  // Every line logged while this request is handled carries its id (Logger.runWith).
  const scope: RequestHandler = (req, _res, next) => logger.runWith({ reqId: requestIdOf(req) }, next);
  return [http as unknown as RequestHandler, scope];
}
