// HTTP Basic authentication: the operator's API_KEYS keys (every permission), then the keys
// accounts made (their own permissions). Sets res.locals.account (whose images and settings the
// request reaches) and res.locals.grants (what it may do).
import type { RequestHandler } from 'express';
import { AuthenticationError } from '@pixelfarm/errors';
import { findApiKey, type ApiKey } from '@pixelfarm/config';
import { ALL_GRANTS, type Grants } from './permissions';

export function parseBasicAuth(header: string | undefined): { id: string; key: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

/** Keys made through /v1/api-keys, found by their API id. */
export interface MadeKeys {
  authenticate(apiId: string, secret: string): Promise<{ account: string; grants: Grants } | undefined>;
}

export function requireAuth(keys: readonly ApiKey[], made?: MadeKeys): RequestHandler {
  return (req, res, next) => {
    const creds = parseBasicAuth(req.headers.authorization);
    const operator = creds && findApiKey(keys, creds.id, creds.key);
    if (operator) {
      res.locals.account = operator.id;
      res.locals.grants = ALL_GRANTS;
      next();
      return;
    }
    const refuse = () => next(new AuthenticationError(creds ? 'Invalid API id or API key' : undefined));
    if (!creds || !made) return refuse();
    made.authenticate(creds.id, creds.key).then((found) => {
      if (!found) return refuse();
      res.locals.account = found.account;
      res.locals.grants = found.grants;
      next();
    }, next);
  };
}
