// /v1/proxies: an account's own upstream proxies, in hcti's shape (management-api/proxies), so the
// Terraform provider, the Pulumi provider and the Go client's management package manage them
// here as there: POST creates, POST /{id} replaces, DELETE is a 204, lists are paged newest
// first. Answers never hold the password. Another account's proxy is a 404.
import { proxyBodySchema, accountProxyView } from '@pixelfarm/proxies';
import type { ProxyService } from '../services/proxy.service';
import type { Route } from '../http/route';
import { error, json, ok } from '../docs/route-docs';
import { listPageQuery, listPageSchema } from '../http/list-page';

export interface ProxiesRoutesDeps {
  proxies: Pick<ProxyService, 'create' | 'list' | 'get' | 'update' | 'delete'>;
}

const EXAMPLE_ID = 'px-2b1f7c9e-8d4a-4f3b-9c6e-1a2b3c4d5e6f';
const idParam = { id: { description: 'Proxy id (px-<uuid>)', example: EXAMPLE_ID } };
const TAG = 'Proxies';
const EXAMPLE_BODY = {
  name: 'Screenshot proxy',
  url: 'https://proxy.example.com',
  port: 8443,
  disabled: false,
  authentication: { username: 'your-proxy-username', password: 'your-proxy-password' },
  bypass_hosts: ['fonts.googleapis.com', 'fonts.gstatic.com'],
};

const notFound = error('No such proxy in this account');
const off = error('Proxies are off on this server (DESTINATIONS_KEY unset)');
const invalid = error('Invalid settings: the message names the field (or the proxy address the egress policy refuses)');

export function proxiesRoutes(deps: ProxiesRoutesDeps): Route[] {
  const account = (locals: Record<string, unknown>) => locals.account as string;
  return [
    {
      id: 'createProxy',
      method: 'post',
      path: '/v1/proxies',
      tag: TAG,
      summary: 'Add a proxy: renders that name it in proxy_id send their page traffic through it',
      description: 'The password is stored encrypted and never returned. The egress policy judges the proxy address on every connection.',
      access: 'basic',
      body: { ...json('ProxyRequest', proxyBodySchema), example: EXAMPLE_BODY },
      responses: { 200: ok('The proxy; its id is the proxy_id of your creates', 'Proxy', accountProxyView), 400: invalid, 403: off, 422: error('The account has PROXIES_PER_ACCOUNT proxies already') },
      handler: async (req, res) => {
        res.status(200).json(await deps.proxies.create(account(res.locals), req.body ?? {}));
      },
    },
    {
      id: 'listProxies',
      method: 'get',
      path: '/v1/proxies',
      tag: TAG,
      summary: 'Your proxies, newest first, disabled ones included',
      access: 'basic',
      query: listPageQuery,
      responses: { 200: ok('One page', 'ProxyPage', listPageSchema(accountProxyView)), 400: error('count or page_start is not valid'), 403: off },
      handler: async (req, res) => {
        res.status(200).json(await deps.proxies.list(account(res.locals), req.query));
      },
    },
    {
      id: 'getProxy',
      method: 'get',
      path: '/v1/proxies/{id}',
      tag: TAG,
      summary: 'One proxy',
      access: 'basic',
      pathParams: idParam,
      responses: { 200: ok('The proxy', 'Proxy', accountProxyView), 403: off, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.proxies.get(account(res.locals), String(req.params.id)));
      },
    },
    {
      id: 'updateProxy',
      method: 'post',
      path: '/v1/proxies/{id}',
      tag: TAG,
      summary: 'Replace a proxy: send the complete configuration, as for a create',
      description:
        'Settings not sent are cleared or take their defaults. To keep the stored password, send the unchanged username with authentication.retain_password: true; ' +
        'omitting authentication removes it.',
      access: 'basic',
      pathParams: idParam,
      body: {
        ...json('ProxyRequest', proxyBodySchema),
        example: { ...EXAMPLE_BODY, authentication: { username: 'your-proxy-username', retain_password: true } },
      },
      responses: { 200: ok('The proxy', 'Proxy', accountProxyView), 400: invalid, 403: off, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.proxies.update(account(res.locals), String(req.params.id), req.body ?? {}));
      },
    },
    {
      id: 'deleteProxy',
      method: 'delete',
      path: '/v1/proxies/{id}',
      tag: TAG,
      summary: 'Delete a proxy: renders can no longer name it (deleting it again succeeds too)',
      access: 'basic',
      pathParams: idParam,
      responses: { 204: { description: 'Deleted' }, 403: off },
      handler: async (req, res) => {
        await deps.proxies.delete(account(res.locals), String(req.params.id));
        res.status(204).end();
      },
    },
  ];
}
