// When the PNG optimization lane may work: once the worker's render slots have been
// idle for PNG_OPTIMIZE_IDLE_MS, or once the optimization has waited PNG_OPTIMIZE_MAX_DELAY_S
// since it was queued, so a worker that is never idle still gets through the lane (it then
// costs render time, as inline encoding did). The optimizer's processor waits here holding its
// one job; pausing the BullMQ worker instead would not stop a fetch it already has in flight.
interface Waiter {
  deadline: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface OptimizerGateOptions {
  idleMs: number;
  maxDelayMs: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class OptimizerGate {
  private active = 0;
  private idleSince: number;
  private readonly waiters = new Set<Waiter>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: OptimizerGateOptions) {
    this.idleSince = this.now();
  }

  renderStarted(): void {
    this.active += 1;
    this.wake();
  }

  renderEnded(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.idleSince = this.now();
    this.wake();
  }

  /** Resolves when an optimization queued at `queuedAt` (ms) may run; rejects once the gate is closed. */
  admit(queuedAt: number): Promise<void> {
    if (this.closed) return Promise.reject(closing());
    return new Promise((resolve, reject) => {
      this.waiters.add({ deadline: queuedAt + this.options.maxDelayMs, resolve, reject });
      this.wake();
    });
  }

  /**
   * The worker is closing: no optimization starts any more, so none holds up its exit; those
   * waiting are refused (their jobs are handed back to the queue for another worker).
   */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const waiter of this.waiters) waiter.reject(closing());
    this.waiters.clear();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private wake(): void {
    clearTimeout(this.timer);
    const now = this.now();
    const idleFrom = this.active === 0 ? this.idleSince + this.options.idleMs : Infinity;
    let next = Infinity;
    for (const waiter of this.waiters) {
      if (now >= idleFrom || now >= waiter.deadline) {
        this.waiters.delete(waiter);
        waiter.resolve();
      } else next = Math.min(next, idleFrom, waiter.deadline);
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => this.wake(), next - now);
      this.timer.unref();
    }
  }
}

function closing(): Error {
  return new Error('The worker is closing');
}
