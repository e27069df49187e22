// One route, one object: method, path, who may call it, its schemas and responses (the OpenAPI
// operation) and its handler. The same list mounts the Express routes and generates
// /openapi.json and /docs, so they cannot drift apart (a catalogue kept by hand beside the code
// drifts from the statuses the code answers). Access is enforced from the same
// field it is documented from: a `basic` route gets the auth middleware, a route with a body
// the body parsers.
import { Router, type RequestHandler } from 'express';
import type { OperationDoc } from '../docs/operation-doc';

export interface Route extends OperationDoc {
  /** Answers the request, once access and body parsing are done. */
  handler: RequestHandler;
  /** Run first, before access control: e.g. passing a path on to a later route with next('route'). */
  before?: RequestHandler[];
  /** A sub-application under `path` (every method and sub-path), documented as its GET. */
  mount?: boolean;
}

export interface RouteMiddleware {
  /** What `access: 'basic'` means: the caller's API id and key (and its rate limit). */
  auth: RequestHandler;
  /** What runs after `auth` on a `basic` route: the permission it needs, its management rate limit. */
  guard: (route: Route) => RequestHandler[];
  /** For routes with a body: JSON, urlencoded and multipart, under one size limit. */
  bodyParsers: RequestHandler[];
}

/** The Express path of a documented one: `{id}` is `:id`, a trailing `[/{name}]` is `{/:name}`. */
export function expressPath(path: string): string {
  return path.replace(/\[\/\{([A-Za-z0-9_]+)\}\]$/, '{/:$1}').replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** A router serving the routes, in their order (earlier routes win a path both match). */
export function mountRoutes(routes: readonly Route[], middleware: RouteMiddleware): Router {
  const router = Router();
  for (const route of routes) {
    const chain = [
      ...(route.before ?? []),
      ...(route.access === 'basic' ? [middleware.auth, ...middleware.guard(route)] : []),
      ...(route.body ? middleware.bodyParsers : []),
      route.handler,
    ];
    if (route.mount) router.use(expressPath(route.path), ...chain);
    else router[route.method](expressPath(route.path), ...chain);
  }
  return router;
}
