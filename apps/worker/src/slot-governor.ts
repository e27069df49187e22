// How many render slots a worker fills. Two renders per CPU keep the browser busy
// while each job spends part of its time outside it (queue, storage, Redis), but every render
// in flight shares the CPUs: with a bulk backlog filling all of them, an interactive create
// waited for a slot and then rendered beside three bulk renders on two CPUs, and its p95 rose to
// 2.3-2.7 times the idle one. So a worker fills `base` slots (one per CPU) unless more
// interactive renders want one than that: then it opens a slot for each, up to `max`
// (WORKER_CONCURRENCY). An interactive flood gets every slot; a bulk backlog, with or without a
// few interactive creates, gets `base`, and a create takes the next slot that frees (its lane
// comes first). Opening a slot for a single create measured worse: the slot it opened was
// refilled with bulk work, and the create rendered beside one more bulk render.
// BullMQ reads the concurrency whenever it fetches, so a change applies from the next job a slot
// takes; jobs already running are never interrupted. What the governor opens is also the worker's
// capacity for the work queued (slots()): saturation is measured against it, not against `max`,
// which a bulk backlog never fills.
/** What the governor needs of a BullMQ Worker: its concurrency, and its jobs' start and end. */
export interface GovernedWorker {
  concurrency: number;
  on(event: 'active' | 'completed' | 'failed', listener: (job: { id?: string; opts: { priority?: number } } | undefined) => void): unknown;
}

export interface SlotGovernorOptions {
  worker: GovernedWorker;
  /** Slots filled unless more interactive renders want one than this (WORKER_BASE_CONCURRENCY). */
  base: number;
  /** Most slots (WORKER_CONCURRENCY). */
  max: number;
  /** Interactive renders waiting in the queue (for any worker); absent when base equals max: nothing to open. */
  waiting?: () => Promise<number>;
  /** How often the queue is looked at. */
  everyMs: number;
  onError?: (err: Error) => void;
}

export class SlotGovernor {
  private timer?: NodeJS.Timeout;
  private polling = false;
  /** This worker's interactive jobs in flight, by job id (events may repeat; ids do not add up twice). */
  private readonly interactive = new Set<string>();
  /** Every job in flight on this worker, either lane. */
  private readonly running = new Set<string>();

  constructor(private readonly options: SlotGovernorOptions) {
    options.worker.concurrency = this.slotsFor(0);
    // Interactive jobs carry no priority (LANE_PRIORITY); BullMQ may read an absent one back as 0.
    options.worker.on('active', (job) => job?.id && this.started(job.id, !job.opts.priority));
    options.worker.on('completed', (job) => job?.id && this.ended(job.id));
    options.worker.on('failed', (job) => job?.id && this.ended(job.id));
  }

  /** The slots for `demand` interactive renders (waiting, plus those this worker runs). */
  slotsFor(demand: number): number {
    const { base, max } = this.options;
    return demand > base ? Math.min(max, demand) : base;
  }

  /** A job started on this worker; `interactive` unless it came from the bulk lane. */
  started(id: string, interactive: boolean): void {
    this.running.add(id);
    if (interactive) this.interactive.add(id);
  }

  ended(id: string): void {
    this.running.delete(id);
    this.interactive.delete(id);
  }

  /** Slots open now (what the worker fills for the work queued), renders running, and the most it may open. */
  slots(): { open: number; busy: number; max: number } {
    return { open: this.options.worker.concurrency, busy: this.running.size, max: this.options.max };
  }

  /** Looks at the queue once and sets the worker's concurrency. */
  async adjust(): Promise<void> {
    if (!this.options.waiting) return;
    const waiting = await this.options.waiting();
    this.options.worker.concurrency = this.slotsFor(waiting + this.interactive.size);
  }

  start(): void {
    if (this.timer || !this.options.waiting) return;
    this.timer = setInterval(() => {
      if (this.polling) return;
      this.polling = true;
      this.adjust()
        .catch((err: Error) => this.options.onError?.(err))
        .finally(() => {
          this.polling = false;
        });
    }, this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
