// The queue dashboard's list query (Bull Board, under /admin/queues). Bull Board hands page and
// jobsPerPage to Redis unchecked: an absurd page came back as a 500 carrying Redis' message.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { pageSize } from './fields';

export const DASHBOARD_PAGE_MAX = 999_999;

const dashboardQuerySchema = z.object({
  page: pageSize('page', DASHBOARD_PAGE_MAX).optional(),
  jobsPerPage: pageSize('jobsPerPage', DASHBOARD_PAGE_MAX).optional(),
});

/** Throws ValidationError when the dashboard query's paging is not a page number Redis can take. */
export function checkDashboardQuery(query: Record<string, unknown>): void {
  const parsed = dashboardQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
}
