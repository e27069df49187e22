// Handing jobs a stopping worker will not finish back to their queue, so another worker takes
// them at once instead of after their lock expires and a stalled-job check finds them. A
// processor runs under `orHandBack`; `handBackAll(worker)` ends every job it runs: each goes
// back to the head of its wait list with its attempts untouched, and the processor ends with
// BullMQ's WaitingError, which the worker neither retries nor fails. What the abandoned work
// still does is harmless: its lock is gone, so it can no longer complete or fail the job.
import { WaitingError, type Job, type Worker } from 'bullmq';
import { within } from '@pixelfarm/errors';

/** The abort reason that means "give the job back", as opposed to any other cancellation. */
const HAND_BACK = 'hand-back';

/**
 * How long giving one job back may take. Redis unreachable: the job stays active without a
 * lock renewal, and stalled-job recovery hands it to another worker after JOB_LOCK_MS.
 */
const HAND_BACK_TIMEOUT_MS = 2_000;

/**
 * Runs `work` for `job` until it settles or `signal` asks for the job to be handed back; then
 * the job goes back to its queue and this rejects with WaitingError at once, whatever the work
 * is waiting for (a dead browser, an unreachable store).
 */
export async function orHandBack<T>(job: Job, token: string | undefined, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  if (!signal) return work();
  let onAbort = () => {};
  const handBack = new Promise<never>((_, reject) => {
    onAbort = () => {
      if (signal.reason === HAND_BACK) reject(new WaitingError(`${job.id} handed back to the queue`));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = work();
  running.catch(() => undefined);
  try {
    return await Promise.race([running, handBack]);
  } catch (err) {
    if (err instanceof WaitingError) await within(job.moveToWait(token), HAND_BACK_TIMEOUT_MS, () => new Error(`timed out after ${HAND_BACK_TIMEOUT_MS} ms`)).catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Hands back every job `worker` runs under orHandBack; call it once the worker is closing. */
export function handBackAll(worker: Pick<Worker, 'cancelAllJobs'>): void {
  worker.cancelAllJobs(HAND_BACK);
}

/** Whether a processor's error is a hand-back (not a failure to report). */
export function isHandBack(err: unknown): boolean {
  return err instanceof WaitingError;
}
