// When the PNG optimization lane may work (issue #23): once the worker's render slots have been
// idle for PNG_OPTIMIZE_IDLE_MS, or once the optimization has waited PNG_OPTIMIZE_MAX_DELAY_S
// since it was queued, so a worker that is never idle still gets through the lane (it then
// costs render time, as inline encoding did). The optimizer's processor waits here holding its
// one job; pausing the BullMQ worker instead would not stop a fetch it already has in flight.
interface Waiter {
  deadline: number;
  resolve: () => void;
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

  /** Resolves when an optimization queued at `queuedAt` (ms) may run. */
  admit(queuedAt: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.add({ deadline: queuedAt + this.options.maxDelayMs, resolve });
      this.wake();
    });
  }

  /** Lets every waiting optimization go (the worker is closing: they finish, nothing waits). */
  close(): void {
    this.closed = true;
    this.wake();
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
      if (this.closed || now >= idleFrom || now >= waiter.deadline) {
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
