// GET /v1/ping: checks a pair of credentials without doing anything else (the n8n node's
// credential test calls it, and takes any 2xx as valid).
import { z } from 'zod';
import type { Route } from '../http/route';
import { error, ok } from '../docs/route-docs';

const pong = z.object({ status: z.literal('ok'), api_id: z.string().meta({ description: 'The API id the credentials belong to' }) });

export function pingRoutes(): Route[] {
  return [
    {
      id: 'ping',
      method: 'get',
      path: '/v1/ping',
      tag: 'Account',
      summary: 'Check your API id and key',
      access: 'basic',
      responses: { 200: ok('The credentials are valid', 'Pong', pong), 401: error('Missing or wrong credentials') },
      handler: (_req, res) => {
        res.status(200).json({ status: 'ok', api_id: res.locals.account as string });
      },
    },
  ];
}
