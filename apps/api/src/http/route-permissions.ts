// The one table of which permission each authenticated route needs, checked on every request
// after authentication. Mounting refuses a `basic` route missing from it, so a new route cannot
// go out unguarded: add its row here. Routes of the management areas (API keys, proxies, storage
// destinations, OG configurations) also count against their area's rate-limit group (hcti's
// getting-started/using-the-api/rate-limits): its GETs share the read group, the rest the write group.
import type { HttpMethod } from '../docs/operation-doc';
import type { Permission } from './permissions';

/** `METHOD path`, the path as the route documents it. */
type RouteKey = `${Uppercase<HttpMethod>} /${string}`;

export const ROUTE_PERMISSIONS: Readonly<Record<RouteKey, Permission>> = {
  'POST /v1/image': 'images:create',
  'POST /v1/image/batch': 'images:create',
  'POST /v1/image/batch/templated': 'images:create',
  'POST /v1/batches': 'images:create',
  'POST /v1/image/{id}[/{token_or_version}]': 'images:create',
  'GET /v1/images': 'images:read',
  'GET /v1/images/{image_id}': 'images:read',
  'GET /v1/batches/{id}': 'images:read',
  'DELETE /v1/image/{id}': 'images:delete',
  'DELETE /v1/image/batch': 'images:delete',
  'PUT /v1/store/{id}': 'images:store',
  'GET /v1/template': 'templates:read',
  'GET /v1/templates': 'templates:read',
  'GET /v1/template/{template_id}': 'templates:read',
  'POST /v1/template': 'templates:create_update',
  'POST /v1/template/{template_id}': 'templates:create_update',
  'DELETE /v1/template/{template_id}': 'templates:delete',
  'GET /v1/usage': 'usage:read',
  'GET /v1/storage-destinations': 'storage_destinations:read',
  'GET /v1/storage-destinations/{id}': 'storage_destinations:read',
  'GET /v1/storage-destinations/aws-external-id': 'storage_destinations:create_update',
  'POST /v1/storage-destinations': 'storage_destinations:create_update',
  'POST /v1/storage-destinations/{id}': 'storage_destinations:create_update',
  'PUT /v1/storage-destinations/{id}': 'storage_destinations:create_update',
  'POST /v1/storage-destinations/{id}/enable': 'storage_destinations:create_update',
  'POST /v1/storage-destinations/{id}/disable': 'storage_destinations:create_update',
  'DELETE /v1/storage-destinations/{id}': 'storage_destinations:delete',
  'GET /v1/proxies': 'proxies:read',
  'GET /v1/proxies/{id}': 'proxies:read',
  'POST /v1/proxies': 'proxies:create_update',
  'POST /v1/proxies/{id}': 'proxies:create_update',
  'DELETE /v1/proxies/{id}': 'proxies:delete',
  'GET /v1/og-configs': 'og_configs:read',
  'GET /v1/og-configs/{id}': 'og_configs:read',
  'POST /v1/og-configs': 'og_configs:create_update',
  'POST /v1/og-configs/{id}': 'og_configs:create_update',
  'DELETE /v1/og-configs/{id}': 'og_configs:delete',
  'GET /v1/api-keys': 'api_keys:read',
  'GET /v1/api-keys/{id}': 'api_keys:read',
  'POST /v1/api-keys': 'api_keys:create_update',
  'POST /v1/api-keys/{id}': 'api_keys:create_update',
  'DELETE /v1/api-keys/{id}': 'api_keys:delete',
};

/** Routes any valid key may call, whatever it was granted: GET /v1/ping checks the credentials themselves. */
export const AUTHENTICATION_ONLY: readonly string[] = ['GET /v1/ping'];

/** The management areas and the names of their rate-limit groups (`<group>:read`, `<group>:write`). */
const MANAGEMENT_GROUPS: Readonly<Record<string, string>> = {
  api_keys: 'api-key',
  proxies: 'proxy',
  storage_destinations: 'storage-destination',
  og_configs: 'og-config',
};

export interface RouteGuard {
  /** Undefined on the AUTHENTICATION_ONLY routes. */
  permission?: Permission;
  /** The management rate-limit group (`proxy:read`…), or undefined for image, template and usage routes. */
  group?: string;
}

/** The permission the table names for a route, or undefined when it has none (or no row). */
export function permissionOf(route: { method: HttpMethod; path: string }): Permission | undefined {
  return ROUTE_PERMISSIONS[`${route.method.toUpperCase()} ${route.path}` as RouteKey];
}

/** The guard of an authenticated route; throws at start-up when the table has no row for it. */
export function guardOf(route: { method: HttpMethod; path: string }): RouteGuard {
  const key = `${route.method.toUpperCase()} ${route.path}` as RouteKey;
  if (AUTHENTICATION_ONLY.includes(key)) return {};
  const permission = permissionOf(route);
  if (!permission) throw new Error(`${key} needs a row in apps/api/src/http/route-permissions.ts: the permission it requires`);
  const family = MANAGEMENT_GROUPS[permission.split(':')[0]!];
  return { permission, group: family ? `${family}:${route.method === 'get' ? 'read' : 'write'}` : undefined };
}
