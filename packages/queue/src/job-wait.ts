// Waits for a job's outcome, as BullMQ's Job.waitUntilFinished does, but with every Redis call
// inside it able to fail the wait. BullMQ's checks the job's state from inside an async Promise
// executor: when Redis fails at that moment (an outage, a Sentinel failover), the rejection is
// unhandled, which ends a Node process by default, and the wait itself only settles at its timeout.
// A Sentinel failover under load produces exactly that moment.
import type { EventEmitter } from 'node:events';
import type { Job, Queue, QueueEvents } from 'bullmq';
import { UnavailableError } from '@pixelfarm/errors';

/** Part of the message of a wait that ran out; the same words as BullMQ's own. */
export const WAIT_TIMED_OUT = 'timed out before finishing';

/**
 * Resolves with the job's return value once it completed; rejects with its failed reason once it
 * failed, with `WAIT_TIMED_OUT` in the message after timeoutMs, or with an UnavailableError when
 * Redis cannot say.
 */
export function untilFinished<Data, Result>(job: Job<Data, Result>, queue: Queue<Data, Result>, events: QueueEvents, timeoutMs: number): Promise<Result> {
  const id = job.id!;
  // Per-job events (`completed:<id>`) and 'closing' are not in BullMQ's typed listener maps:
  // listened to as the EventEmitters both are.
  const jobEvents: EventEmitter = events;
  const closing: EventEmitter = queue;
  return new Promise<Result>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      jobEvents.removeListener(`completed:${id}`, onCompleted);
      jobEvents.removeListener(`failed:${id}`, onFailed);
      closing.removeListener('closing', onClosing);
      outcome();
    };
    const onCompleted = (args: { returnvalue: unknown }) => finish(() => resolve(args.returnvalue as Result));
    const onFailed = (args: { failedReason: string }) => finish(() => reject(new Error(args.failedReason)));
    const onClosing = () => finish(() => reject(new UnavailableError('The render queue is closing, please retry')));
    const timer = setTimeout(() => finish(() => reject(new Error(`Job wait ${job.name} ${WAIT_TIMED_OUT} after ${timeoutMs}ms (id=${id})`))), timeoutMs);
    jobEvents.on(`completed:${id}`, onCompleted);
    jobEvents.on(`failed:${id}`, onFailed);
    closing.on('closing', onClosing);
    // The job may have finished before the listeners were in place: look once, after the events
    // connection listens (so that nothing finishing from now on can be missed).
    (async () => {
      await events.waitUntilReady();
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return;
      const fresh = await queue.getJob(id);
      if (!fresh) return;
      if (state === 'completed') finish(() => resolve(fresh.returnvalue));
      else finish(() => reject(new Error(fresh.failedReason)));
    })().catch((err: unknown) => finish(() => reject(new UnavailableError('The render queue is unavailable, please retry', { cause: err }))));
  });
}
