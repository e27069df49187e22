// Whether a job runs again: an earlier attempt failed, stalled, or was handed back by a worker
// that stopped. Such a run may find what the earlier one made already stored.
import type { Job } from 'bullmq';

export function isRerun(job: Pick<Job, 'attemptsMade' | 'attemptsStarted'>): boolean {
  return job.attemptsMade > 0 || (job.attemptsStarted ?? 0) > 1;
}
