// The queue dashboard (Bull Board) at /admin/queues, behind the admin credentials.
import { Router, type RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { AuthenticationError } from '@pixelfarm/errors';
import { checkDashboardQuery } from '@pixelfarm/schemas';
import { findApiKey } from '@pixelfarm/config';
import { parseBasicAuth } from '../http/auth.middleware';

export const ADMIN_PATH = '/admin/queues';

export function adminRoutes(admin: { user: string; password: string }, queues: Queue[]): Router {
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
  const router = Router();
  router.use(ADMIN_PATH, requireAdmin, checkPaging, serverAdapter.getRouter() as RequestHandler);
  return router;
}
