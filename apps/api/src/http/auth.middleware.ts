// HTTP Basic authentication against the configured API keys; sets res.locals.account.
import type { RequestHandler } from 'express';
import { AuthenticationError } from '@pixelfarm/errors';
import { findApiKey, type ApiKey } from '@pixelfarm/config';

export function parseBasicAuth(header: string | undefined): { id: string; key: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

export function requireAuth(keys: readonly ApiKey[]): RequestHandler {
  return (req, res, next) => {
    const creds = parseBasicAuth(req.headers.authorization);
    const match = creds && findApiKey(keys, creds.id, creds.key);
    if (!match) {
      next(new AuthenticationError(creds ? 'Invalid API id or API key' : undefined));
      return;
    }
    res.locals.account = match.id;
    next();
  };
}
