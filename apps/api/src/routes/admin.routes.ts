// The queue dashboard (Bull Board) at /admin/queues, behind the admin credentials: one route
// object, a sub-application mounted at its path.
import type { RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { AuthenticationError } from '@pixelfarm/errors';
import { checkDashboardQuery } from '@pixelfarm/schemas';
import { findApiKey } from '@pixelfarm/config';
import { parseBasicAuth } from '../http/auth.middleware';
import type { Route } from '../http/route';
import { htmlPage } from '../docs/route-docs';

export const ADMIN_PATH = '/admin/queues';

export function adminRoutes(admin: { user: string; password: string }, queues: Queue[]): Route[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter });
  const adminKey = [{ id: admin.user, key: admin.password }];
  const requireAdmin: RequestHandler = (req, _res, next) => {
    const creds = parseBasicAuth(req.headers.authorization);
    next(creds && findApiKey(adminKey, creds.id, creds.key) ? undefined : new AuthenticationError('Admin credentials required'));
  };
  const checkPaging: RequestHandler = (req, _res, next) => {
    checkDashboardQuery(req.query as Record<string, unknown>);
    next();
  };
  return [
    {
      id: 'queueDashboard',
      method: 'get',
      path: ADMIN_PATH,
      tag: 'Operations',
      summary: 'Queue dashboard (Bull Board) and the routes under it',
      access: 'admin',
      responses: { 200: htmlPage },
      mount: true,
      before: [requireAdmin, checkPaging],
      handler: serverAdapter.getRouter() as RequestHandler,
    },
  ];
}
