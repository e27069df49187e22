// What an API key may do: hcti's permission names (getting-started/using-the-api/permissions),
// and the grants a request carries once its key is known. The operator's API_KEYS keys hold every
// permission, present and future; keys an account makes hold what they were given.

/** Every permission, in hcti's spelling: `<area>:<action>`. */
export const PERMISSIONS = [
  'images:create',
  'images:read',
  'images:delete',
  'images:store',
  'templates:read',
  'templates:create_update',
  'templates:delete',
  'proxies:read',
  'proxies:create_update',
  'proxies:delete',
  'storage_destinations:read',
  'storage_destinations:create_update',
  'storage_destinations:delete',
  'og_configs:read',
  'og_configs:create_update',
  'og_configs:delete',
  'usage:read',
  'api_keys:read',
  'api_keys:create_update',
  'api_keys:delete',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(name: string): name is Permission {
  return (PERMISSIONS as readonly string[]).includes(name);
}

/** What the key of a request may do, set by authentication as `res.locals.grants`. */
export interface Grants {
  /** Every current and future permission (the operator's keys, and keys made with all_future_permissions). */
  allFuture: boolean;
  permissions: ReadonlySet<Permission>;
}

export const ALL_GRANTS: Grants = Object.freeze({ allFuture: true, permissions: new Set(PERMISSIONS) });

export function holds(grants: Grants, permission: Permission): boolean {
  return grants.allFuture || grants.permissions.has(permission);
}

/**
 * Whether a caller may hand out (or take back) a key's grants: every permission of it, and
 * all-future access only when the caller has it itself.
 */
export function mayGrant(caller: Grants, wanted: { allFuture: boolean; permissions: Iterable<Permission> }): boolean {
  if (wanted.allFuture) return caller.allFuture;
  for (const p of wanted.permissions) if (!holds(caller, p)) return false;
  return true;
}
