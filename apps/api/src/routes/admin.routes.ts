// The queue dashboard (Bull Board) at /admin/queues, behind the admin credentials.
import { Router, type RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { AuthenticationError, ValidationError } from '@pixelfarm/errors';
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
  // Bull Board hands these to Redis unchecked: an absurd page is a Redis error, which it
  // answers with a 500 carrying Redis' message.
  const checkPaging: RequestHandler = (req, _res, next) => {
    for (const name of ['page', 'jobsPerPage']) {
      const value = req.query[name];
      if (value !== undefined && !(typeof value === 'string' && /^[1-9]\d{0,5}$/.test(value))) {
        return next(new ValidationError(`${name} must be a whole number from 1 to 999999`));
      }
    }
    next();
  };
  const router = Router();
  router.use(ADMIN_PATH, requireAdmin, checkPaging, serverAdapter.getRouter() as RequestHandler);
  return router;
}
