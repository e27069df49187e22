// Templates: create, edit (a new version each time), list, read versions; and the hosted API's
// POST /v1/image/:template_id[/:template_version] shorthand for a templated create.
import type { RequestHandler } from 'express';
import { bodyFields, isTemplateId, parseCreateImage, templateBodySchema, type createImageSchema } from '@pixelfarm/schemas';
import type { TemplateService } from '../services/template.service';
import type { ImageCreateService } from '../services/image-create.service';
import { sendCredits } from '../http/credit-headers';
import type { Route } from '../http/route';
import { EXAMPLE_SNIPPET, error, json, ok, responses, templatePathParam } from '../docs/route-docs';

export interface TemplateRoutesDeps {
  templates: Pick<TemplateService, 'create' | 'edit' | 'list' | 'versions'>;
  creator: Pick<ImageCreateService, 'create'>;
  createSchema: ReturnType<typeof createImageSchema>;
}

/** Lets only template ids through, so other /v1/image/{id} routes keep their paths. */
const templateIdOnly: RequestHandler = (req, _res, next) => next(isTemplateId(String(req.params.id)) ? undefined : 'route');

export function templateRoutes(deps: TemplateRoutesDeps): Route[] {
  const account = (locals: Record<string, unknown>) => locals.account as string;
  const template = templateBodySchema(deps.createSchema);
  const listing = ok('Templates, most recently edited first', 'TemplateListing', responses.templateListing);
  const list: RequestHandler = async (_req, res) => {
    res.status(200).json(await deps.templates.list(account(res.locals)));
  };
  return [
    {
      id: 'createTemplate',
      method: 'post',
      path: '/v1/template',
      tag: 'Templates',
      summary: 'Create a template (Handlebars html, css and default render options)',
      access: 'basic',
      body: { ...json('TemplateBody', template), forms: true, example: { html: '<div class="card">{{title}}</div>', css: EXAMPLE_SNIPPET.css, name: 'card' } },
      responses: { 201: ok('The template and its first version', 'TemplateRef', responses.templateRef) },
      handler: async (req, res) => {
        res.status(201).json(await deps.templates.create(account(res.locals), req.body ?? {}));
      },
    },
    {
      id: 'editTemplate',
      method: 'post',
      path: '/v1/template/{template_id}',
      tag: 'Templates',
      summary: 'Save a new version of a template',
      description: 'Fields not sent keep their value from the latest version.',
      access: 'basic',
      pathParams: { template_id: templatePathParam },
      body: { ...json('TemplateEdit', template.partial()), forms: true, example: { html: '<div class="card">{{title}}!</div>' } },
      responses: { 201: ok('The new version', 'TemplateRef', responses.templateRef), 404: error('No such template in this account') },
      handler: async (req, res) => {
        res.status(201).json(await deps.templates.edit(account(res.locals), String(req.params.template_id), req.body ?? {}));
      },
    },
    // The hosted API lists at /v1/template; API.md names /v1/templates. Both answer.
    {
      id: 'listTemplates',
      method: 'get',
      path: '/v1/templates',
      tag: 'Templates',
      summary: 'List your templates (latest version of each)',
      access: 'basic',
      responses: { 200: listing },
      handler: list,
    },
    {
      id: 'listTemplatesHostedPath',
      method: 'get',
      path: '/v1/template',
      tag: 'Templates',
      summary: 'List your templates (the hosted API’s path for GET /v1/templates)',
      access: 'basic',
      responses: { 200: listing },
      handler: list,
    },
    {
      id: 'getTemplateVersions',
      method: 'get',
      path: '/v1/template/{template_id}',
      tag: 'Templates',
      summary: 'Every version of a template, newest first',
      access: 'basic',
      pathParams: { template_id: templatePathParam },
      responses: { 200: ok('The versions', 'TemplateListing', responses.templateListing), 404: error('No such template in this account') },
      handler: async (req, res) => {
        res.status(200).json(await deps.templates.versions(account(res.locals), String(req.params.template_id)));
      },
    },
    {
      id: 'createImageFromTemplate',
      method: 'post',
      path: '/v1/image/{id}[/{token_or_version}]',
      tag: 'Templates',
      summary: 'Render a template (the hosted API’s shorthand for POST /v1/image with template_id)',
      description: 'The body holds template_values and any create option. The second segment, when present, is the template version.',
      access: 'basic',
      pathParams: { id: templatePathParam, token_or_version: { description: 'Template version (ms timestamp); default the latest', example: '1718000000000' } },
      body: { ...json('CreateImage', deps.createSchema), forms: true, example: { template_values: { title: 'Launch day' } } },
      responses: { 200: ok('The image is stored; url serves it', 'ImageRef', responses.imageRef), 404: error('No such template in this account') },
      before: [templateIdOnly],
      handler: async (req, res) => {
        // Checked before the spread below, which would pass an array as an object of its indices.
        const body = bodyFields(req.body ?? {});
        const version = req.params.token_or_version;
        const request = parseCreateImage(deps.createSchema, {
          ...body,
          template_id: req.params.id,
          ...(version !== undefined ? { template_version: version } : {}),
        });
        res.status(200).json(await deps.creator.create(account(res.locals), request, { onCredits: sendCredits(res) }));
      },
    },
  ];
}
