// Templates: create, replace (a new version each time), list and read versions a page at a time,
// delete; and the hosted API's
// POST /v1/image/:template_id[/:template_version] shorthand for a templated create.
import type { RequestHandler } from 'express';
import { bodyFields, isTemplateId, parseCreateImage, parseTemplatePageQuery, templateBodySchema, templatePageQuerySchema, type createImageSchema } from '@pixelfarm/schemas';
import type { TemplateService } from '../services/template.service';
import type { ImageCreateService } from '../services/image-create.service';
import { sendCredits } from '../http/credit-headers';
import type { Route } from '../http/route';
import { EXAMPLE_SNIPPET, error, json, ok, responses, templatePathParam } from '../docs/route-docs';

export interface TemplateRoutesDeps {
  templates: Pick<TemplateService, 'create' | 'replace' | 'list' | 'versions' | 'delete'>;
  creator: Pick<ImageCreateService, 'create'>;
  createSchema: ReturnType<typeof createImageSchema>;
}

/** Lets only template ids through, so other /v1/image/{id} routes keep their paths. */
const templateIdOnly: RequestHandler = (req, _res, next) => next(isTemplateId(String(req.params.id)) ? undefined : 'route');

export function templateRoutes(deps: TemplateRoutesDeps): Route[] {
  const account = (locals: Record<string, unknown>) => locals.account as string;
  const template = templateBodySchema(deps.createSchema);
  const listing = ok('One page of templates (the latest version of each), most recently edited first', 'TemplateListing', responses.templateListing);
  const page = (query: unknown) => parseTemplatePageQuery(query as Record<string, unknown>);
  const list: RequestHandler = async (req, res) => {
    res.status(200).json(await deps.templates.list(account(res.locals), page(req.query)));
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
      id: 'replaceTemplate',
      method: 'post',
      path: '/v1/template/{template_id}',
      tag: 'Templates',
      summary: 'Save a new version of a template',
      description: 'The body replaces the template as a whole: a field left out (or null) is unset in the new version. Earlier versions stay.',
      access: 'basic',
      pathParams: { template_id: templatePathParam },
      body: { ...json('TemplateBody', template), forms: true, example: { html: '<div class="card">{{title}}!</div>' } },
      responses: { 201: ok('The new version', 'TemplateRef', responses.templateRef), 404: error('No such template in this account') },
      handler: async (req, res) => {
        res.status(201).json(await deps.templates.replace(account(res.locals), String(req.params.template_id), req.body ?? {}));
      },
    },
    {
      id: 'deleteTemplate',
      method: 'delete',
      path: '/v1/template/{template_id}',
      tag: 'Templates',
      summary: 'Delete a template with every version of it',
      description: 'Images already made from it stay; creating new ones from it is a 404.',
      access: 'basic',
      pathParams: { template_id: templatePathParam },
      responses: { 204: { description: 'Deleted' }, 404: error('No such template in this account') },
      handler: async (req, res) => {
        await deps.templates.delete(account(res.locals), String(req.params.template_id));
        res.status(204).end();
      },
    },
    // The hosted API lists at /v1/template, and some of its documentation names /v1/templates. Both answer.
    {
      id: 'listTemplates',
      method: 'get',
      path: '/v1/templates',
      tag: 'Templates',
      summary: 'List your templates (latest version of each)',
      access: 'basic',
      query: templatePageQuerySchema,
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
      query: templatePageQuerySchema,
      responses: { 200: listing },
      handler: list,
    },
    {
      id: 'getTemplateVersions',
      method: 'get',
      path: '/v1/template/{template_id}',
      tag: 'Templates',
      summary: 'The versions of a template, newest first, a page at a time',
      access: 'basic',
      pathParams: { template_id: templatePathParam },
      query: templatePageQuerySchema,
      responses: { 200: ok('One page of versions', 'TemplateListing', responses.templateListing), 404: error('No such template in this account') },
      handler: async (req, res) => {
        res.status(200).json(await deps.templates.versions(account(res.locals), String(req.params.template_id), page(req.query)));
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
