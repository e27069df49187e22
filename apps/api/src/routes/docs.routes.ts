// The self-description of the API: GET /openapi.json (generated from the routes themselves),
// GET /docs (rendered from it) and GET / (the playground). The document is built from every
// route, these three included, so it is handed in once built and the pages are rendered then.
import type { RequestHandler } from 'express';
import type { OpenApiDocument } from '../docs/openapi-types';
import { DOCS_STYLE, renderDocsPage } from '../docs/docs-page';
import { pageHeaders } from '../docs/page-security';
import { renderPlaygroundPage, type PlaygroundOptions } from '../docs/playground-page';
import { PLAYGROUND_SCRIPT, PLAYGROUND_STYLE } from '../docs/playground-assets';
import type { Route } from '../http/route';
import { htmlPage } from '../docs/route-docs';

export interface DocsRoutes {
  routes: Route[];
  /** Called once with the document generated from all routes; the pages are served from then on. */
  publish(document: OpenApiDocument): void;
}

export function docsRoutes(deps: PlaygroundOptions): DocsRoutes {
  let pages: { json: string; docs: string; playground: string } | undefined;
  const docsHeaders = pageHeaders({ styles: [DOCS_STYLE] });
  const playgroundHeaders = pageHeaders({ styles: [PLAYGROUND_STYLE], scripts: [PLAYGROUND_SCRIPT] });
  const page = (send: (p: NonNullable<typeof pages>, res: Parameters<RequestHandler>[1]) => void): RequestHandler => (_req, res, next) => {
    if (!pages) return next(new Error('The API document was not published'));
    send(pages, res);
  };
  return {
    publish(document) {
      pages = { json: JSON.stringify(document), docs: renderDocsPage(document), playground: renderPlaygroundPage(document, deps) };
    },
    routes: [
      {
        id: 'openapiDocument',
        method: 'get',
        path: '/openapi.json',
        tag: 'Documentation',
        summary: 'This OpenAPI 3.1 document',
        access: 'public',
        responses: { 200: { description: 'OpenAPI 3.1 document', contentTypes: ['application/json'] } },
        handler: page((p, res) => res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*' }).send(p.json)),
      },
      {
        id: 'docsPage',
        method: 'get',
        path: '/docs',
        tag: 'Documentation',
        summary: 'Readable API reference (HTML)',
        access: 'public',
        responses: { 200: htmlPage },
        handler: page((p, res) => res.set(docsHeaders).send(p.docs)),
      },
      {
        id: 'playground',
        method: 'get',
        path: '/',
        tag: 'Documentation',
        summary: 'Playground: edit HTML/CSS and render it',
        access: 'public',
        responses: { 200: htmlPage },
        // Exact path only (Express matches "/" whole for a route), so it shadows nothing.
        handler: page((p, res) => res.set(playgroundHeaders).send(p.playground)),
      },
    ],
  };
}
