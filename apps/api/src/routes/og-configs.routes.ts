// /v1/og-configs: an account's Open Graph image configurations in hcti's shape
// (management-api/og-configs), as the Terraform provider, the Pulumi provider and the Go client's
// management package manage them: POST creates, POST /{id} replaces, DELETE is a 204, lists are
// paged newest first. Another account's configuration is a 404.
import { z } from 'zod';
import type { OgConfigService } from '../og/og-config.service';
import { ogConfigBodySchema } from '../og/og-config-body';
import { OG_CONFIG_TYPES, OPTIMIZATION_MODES } from '../og/og-config';
import type { Route } from '../http/route';
import { error, json, ok } from '../docs/route-docs';
import { listPageQuery, listPageSchema } from '../http/list-page';

export interface OgConfigsRoutesDeps {
  configs: Pick<OgConfigService, 'create' | 'list' | 'get' | 'update' | 'delete'>;
}

const TAG = 'Open Graph images';
const idParam = { id: { description: 'Configuration id (og-<uuid>)', example: 'og-5a1c7e2b-9d3f-4b6a-8c1e-2f3a4b5c6d7e' } };
const EXAMPLE = {
  config_type: 'html_css',
  name: 'Website screenshots',
  base_url: 'https://example.com',
  disabled: false,
  optimization_mode: 'post_process',
  extract_values: false,
  default_options: { viewport_width: 1200, viewport_height: 630, device_scale: 1 },
};

const view = z.object({
  id: z.string(),
  domain_id: z.string().meta({ description: 'Names the configuration in the public image URL /v1/og/{domain_id}/{path}' }),
  config_type: z.enum(OG_CONFIG_TYPES),
  name: z.string(),
  description: z.string().nullable(),
  base_url: z.string(),
  optimization_mode: z.enum(OPTIMIZATION_MODES),
  enabled: z.boolean(),
  refresh_interval_s: z.number().int(),
  default_options: z.record(z.string(), z.unknown()).nullable().meta({ description: 'html_css: every image option, null when unset' }),
  extract_values: z.boolean(),
  template_id: z.string().nullable(),
  template_version: z.number().int().nullable(),
  template_values_mapping: z.array(z.object({ template_key: z.string(), meta_key: z.string().nullable(), fallback: z.enum(['titles', 'descriptions']).nullable() })).nullable(),
  headers: z.record(z.string(), z.string()).nullable(),
  additional_header_origins: z.array(z.string()).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const notFound = error('No such configuration in this account, or its template_id is not a template of the account');
const invalid = error('Invalid settings: the message names the field');
const conflict = error('The account has a configuration for this base_url already');

export function ogConfigsRoutes(deps: OgConfigsRoutesDeps): Route[] {
  const account = (locals: Record<string, unknown>) => locals.account as string;
  return [
    {
      id: 'createOgConfig',
      method: 'post',
      path: '/v1/og-configs',
      tag: TAG,
      summary: 'Add an Open Graph image configuration for a website origin',
      description: 'Its domain_id names it in the public image URL. Creating it renders nothing: pages render on the first request for their image.',
      access: 'basic',
      body: { ...json('OgConfigRequest', ogConfigBodySchema), example: EXAMPLE },
      responses: { 200: ok('The configuration', 'OgConfig', view), 400: invalid, 404: notFound, 409: conflict, 422: error('The account has OG_CONFIGS_PER_ACCOUNT configurations already') },
      handler: async (req, res) => {
        res.status(200).json(await deps.configs.create(account(res.locals), req.body ?? {}));
      },
    },
    {
      id: 'listOgConfigs',
      method: 'get',
      path: '/v1/og-configs',
      tag: TAG,
      summary: 'Your Open Graph image configurations, newest first, disabled ones included',
      access: 'basic',
      query: listPageQuery,
      responses: { 200: ok('One page', 'OgConfigPage', listPageSchema(view)), 400: error('count or page_start is not valid') },
      handler: async (req, res) => {
        res.status(200).json(await deps.configs.list(account(res.locals), req.query));
      },
    },
    {
      id: 'getOgConfig',
      method: 'get',
      path: '/v1/og-configs/{id}',
      tag: TAG,
      summary: 'One Open Graph image configuration',
      access: 'basic',
      pathParams: idParam,
      responses: { 200: ok('The configuration', 'OgConfig', view), 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.configs.get(account(res.locals), String(req.params.id)));
      },
    },
    {
      id: 'updateOgConfig',
      method: 'post',
      path: '/v1/og-configs/{id}',
      tag: TAG,
      summary: 'Replace an Open Graph image configuration: send it complete, as for a create',
      description: 'Settings not sent are cleared or take their defaults; the domain_id stays. Pages get new images as they are next requested.',
      access: 'basic',
      pathParams: idParam,
      body: { ...json('OgConfigRequest', ogConfigBodySchema), example: { ...EXAMPLE, disabled: true } },
      responses: { 200: ok('The configuration', 'OgConfig', view), 400: invalid, 404: notFound, 409: conflict },
      handler: async (req, res) => {
        res.status(200).json(await deps.configs.update(account(res.locals), String(req.params.id), req.body ?? {}));
      },
    },
    {
      id: 'deleteOgConfig',
      method: 'delete',
      path: '/v1/og-configs/{id}',
      tag: TAG,
      summary: 'Delete an Open Graph image configuration: its image URLs answer 404 (deleting it again succeeds too)',
      access: 'basic',
      pathParams: idParam,
      responses: { 204: { description: 'Deleted' } },
      handler: async (req, res) => {
        await deps.configs.delete(account(res.locals), String(req.params.id));
        res.status(204).end();
      },
    },
  ];
}
