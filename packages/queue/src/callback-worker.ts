// Consumer side of the callback queue: a BullMQ worker handing each delivery to one function.
// A thrown error retries with backoff; a CallbackRefusedError (a target the egress policy
// refuses, an account without a key) fails the delivery for good.
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { CALLBACK_QUEUE, type CallbackJobData } from './callback-contract';
import { OwningWorker, queueConnection } from './queue-connection';
import { orHandBack } from './hand-back';

/** The delivery must not be retried: it can never succeed. */
export class CallbackRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface CallbackWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  deliver: (job: Job<CallbackJobData>) => Promise<void>;
  /** Every failed attempt; `final` when no retry follows. */
  onFailed?: (job: Job<CallbackJobData> | undefined, err: Error, final: boolean) => void;
  onError?: (err: Error) => void;
  /** Runs each delivery inside a scope (the logger's, binding the request id the job carries). */
  inScope?: <T>(job: Job<CallbackJobData>, run: () => Promise<T>) => Promise<T>;
}

export function createCallbackWorker(options: CallbackWorkerOptions): Worker<CallbackJobData> {
  const worker = new OwningWorker<CallbackJobData, void>(
    CALLBACK_QUEUE,
    // Three parameters: BullMQ gives the processor an abort signal, which handBackAll uses.
    async (job, token, signal?: AbortSignal) => {
      try {
        await orHandBack(job, token, signal, () => (options.inScope ? options.inScope(job, () => options.deliver(job)) : options.deliver(job)));
      } catch (err) {
        if (err instanceof CallbackRefusedError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    { prefix: options.prefix, concurrency: options.concurrency, autorun: false },
    queueConnection(options.redisUrl, 'consumer'),
  );
  worker.on('failed', (job, err) => options.onFailed?.(job, err, !!job?.finishedOn));
  worker.on('error', options.onError ?? (() => {}));
  return worker;
}
