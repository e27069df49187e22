// /v1/api-keys (hcti's management-api/api-keys): keys an account makes for its applications,
// each with its own permissions. The create answer is the only one holding the secret; every key
// answer is Cache-Control: no-store. DELETE disables a key, which stays readable.
import { z } from 'zod';
import type { RequestHandler, Response } from 'express';
import { apiKeyRequestSchema, type ApiKeyService } from '../services/api-key.service';
import { listPageQuery, listPageSchema } from '../http/list-page';
import { PERMISSIONS, type Grants } from '../http/permissions';
import type { Route } from '../http/route';
import { error, json, ok } from '../docs/route-docs';

export interface ApiKeysRoutesDeps {
  keys: Pick<ApiKeyService, 'create' | 'list' | 'get' | 'update' | 'disable'>;
}

const TAG = 'API keys';
const idParam = { id: { description: "The key's resource id (ak-<uuid>), not its api_id", example: 'ak-3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' } };

const keyView = z.object({
  id: z.string().meta({ description: 'Resource id, used in management paths' }),
  api_id: z.string().meta({ description: 'The Basic username' }),
  name: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  permissions: z.array(z.enum(PERMISSIONS)).meta({ description: 'Granted permissions (every current one for all-future keys)' }),
  all_future_permissions: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
const created = keyView.extend({ api_key: z.string().meta({ description: 'The secret (Basic password): returned by this answer only' }) });
const listing = listPageSchema(keyView);
const listQuery = listPageQuery.extend({
  include_disabled: z.enum(['true', 'false']).optional().meta({ description: 'Include disabled keys (default false)' }),
  with_permission: z.string().optional().meta({ description: 'Only keys holding this permission; repeat for all of several' }),
});

const example = {
  name: 'Production renderer',
  description: 'Image generation for the website',
  disabled: false,
  all_future_permissions: false,
  permissions: ['images:create', 'images:store'],
};
const notFound = error('No such API key in this account');
const refused = error('The key lacks the permission, or cannot grant (or manage a key holding) one of the permissions');

const account = (res: Response) => res.locals.account as string;
const grants = (res: Response) => res.locals.grants as Grants;
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export function apiKeysRoutes(deps: ApiKeysRoutesDeps): Route[] {
  return [
    {
      id: 'createApiKey',
      method: 'post',
      path: '/v1/api-keys',
      tag: TAG,
      summary: 'Make an API key: its secret is in this answer only',
      access: 'basic',
      before: [noStore],
      body: { ...json('ApiKeyRequest', apiKeyRequestSchema), example },
      responses: { 200: ok('The key with its secret', 'ApiKeyWithSecret', created), 403: refused, 422: error('The account has API_KEYS_PER_ACCOUNT keys already') },
      handler: async (req, res) => {
        res.status(200).json(await deps.keys.create(account(res), grants(res), req.body));
      },
    },
    {
      id: 'listApiKeys',
      method: 'get',
      path: '/v1/api-keys',
      tag: TAG,
      summary: 'Your API keys, newest first, without secrets',
      access: 'basic',
      before: [noStore],
      query: listQuery,
      responses: { 200: ok('One page of keys', 'ApiKeyListing', listing) },
      handler: async (req, res) => {
        res.status(200).json(await deps.keys.list(account(res), req.query as Record<string, unknown>));
      },
    },
    {
      id: 'getApiKey',
      method: 'get',
      path: '/v1/api-keys/{id}',
      tag: TAG,
      summary: 'One API key, disabled ones too, without its secret',
      access: 'basic',
      before: [noStore],
      pathParams: idParam,
      responses: { 200: ok('The key', 'ApiKey', keyView), 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.keys.get(account(res), String(req.params.id)));
      },
    },
    {
      id: 'updateApiKey',
      method: 'post',
      path: '/v1/api-keys/{id}',
      tag: TAG,
      summary: 'Replace an API key\'s settings (omitted fields reset); the secret stays',
      access: 'basic',
      before: [noStore],
      pathParams: idParam,
      body: { ...json('ApiKeyRequest', apiKeyRequestSchema), example },
      responses: { 200: ok('The key', 'ApiKey', keyView), 403: refused, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.keys.update(account(res), grants(res), String(req.params.id), req.body));
      },
    },
    {
      id: 'disableApiKey',
      method: 'delete',
      path: '/v1/api-keys/{id}',
      tag: TAG,
      summary: 'Disable an API key: it stops authenticating, stays readable and can be enabled again',
      access: 'basic',
      before: [noStore],
      pathParams: idParam,
      responses: { 204: { description: 'Disabled' }, 403: refused, 404: notFound },
      handler: async (req, res) => {
        await deps.keys.disable(account(res), grants(res), String(req.params.id));
        res.status(204).end();
      },
    },
  ];
}
