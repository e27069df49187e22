// Templates: create, edit (a new version each time), list, read versions; and the hosted API's
// POST /v1/image/:template_id[/:template_version] shorthand for a templated create.
import { Router, type RequestHandler } from 'express';
import { bodyFields, isTemplateId, parseCreateImage, type createImageSchema } from '@pixelfarm/schemas';
import type { TemplateService } from '../services/template.service';
import type { ImageCreateService } from '../services/image-create.service';

export interface TemplateRoutesDeps {
  templates: Pick<TemplateService, 'create' | 'edit' | 'list' | 'versions'>;
  creator: Pick<ImageCreateService, 'create'>;
  createSchema: ReturnType<typeof createImageSchema>;
  auth: RequestHandler;
  bodyParsers: RequestHandler[];
}

/** Lets only template ids through, so other /v1/image/:x routes keep their paths. */
const templateIdOnly: RequestHandler = (req, _res, next) => next(isTemplateId(String(req.params.template_id)) ? undefined : 'route');

export function templateRoutes(deps: TemplateRoutesDeps): Router {
  const router = Router();
  const account = (locals: Record<string, unknown>) => locals.account as string;

  router.post('/v1/template', deps.auth, ...deps.bodyParsers, async (req, res) => {
    res.status(201).json(await deps.templates.create(account(res.locals), req.body ?? {}));
  });

  router.post('/v1/template/:template_id', deps.auth, ...deps.bodyParsers, async (req, res) => {
    res.status(201).json(await deps.templates.edit(account(res.locals), String(req.params.template_id), req.body ?? {}));
  });

  // The hosted API lists at /v1/template; API.md names /v1/templates. Both answer.
  const list: RequestHandler = async (_req, res) => {
    res.status(200).json(await deps.templates.list(account(res.locals)));
  };
  router.get('/v1/templates', deps.auth, list);
  router.get('/v1/template', deps.auth, list);

  router.get('/v1/template/:template_id', deps.auth, async (req, res) => {
    res.status(200).json(await deps.templates.versions(account(res.locals), String(req.params.template_id)));
  });

  router.post('/v1/image/:template_id{/:template_version}', templateIdOnly, deps.auth, ...deps.bodyParsers, async (req, res) => {
    // Checked before the spread below, which would pass an array as an object of its indices.
    const body = bodyFields(req.body ?? {});
    const version = req.params.template_version;
    const request = parseCreateImage(deps.createSchema, {
      ...body,
      template_id: req.params.template_id,
      ...(version !== undefined ? { template_version: version } : {}),
    });
    res.status(200).json(await deps.creator.create(account(res.locals), request));
  });

  return router;
}
