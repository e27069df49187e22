// The self-description of the API: GET /openapi.json (generated from the validators), GET /docs
// (rendered from it) and GET / (the playground). Pages are built once, at start.
import { Router } from 'express';
import type { OpenApiDocument } from '../docs/openapi-types';
import { DOCS_STYLE, renderDocsPage } from '../docs/docs-page';
import { pageHeaders } from '../docs/page-security';
import { renderPlaygroundPage, type PlaygroundOptions } from '../docs/playground-page';
import { PLAYGROUND_SCRIPT, PLAYGROUND_STYLE } from '../docs/playground-assets';

export interface DocsRoutesDeps extends PlaygroundOptions {
  document: OpenApiDocument;
}

export function docsRoutes(deps: DocsRoutesDeps): Router {
  const router = Router();
  const json = JSON.stringify(deps.document);
  const docs = renderDocsPage(deps.document);
  const docsHeaders = pageHeaders({ styles: [DOCS_STYLE] });
  const playground = renderPlaygroundPage(deps.document, deps);
  const playgroundHeaders = pageHeaders({ styles: [PLAYGROUND_STYLE], scripts: [PLAYGROUND_SCRIPT] });

  router.get('/openapi.json', (_req, res) => {
    res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*' }).send(json);
  });
  router.get('/docs', (_req, res) => {
    res.set(docsHeaders).send(docs);
  });
  // Exact path only (Express matches "/" whole for a route), so it shadows nothing.
  router.get('/', (_req, res) => {
    res.set(playgroundHeaders).send(playground);
  });
  return router;
}
