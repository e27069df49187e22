// Progress on stderr: a redrawn bar on a terminal; on a pipe or log file, a plain line every
// few seconds (no carriage returns or escape codes to litter CI logs).

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** false: no bar and no periodic lines (--quiet); log() still prints. */
  enabled: boolean;
  /** Clock, injectable for tests. Default Date.now. */
  now?: () => number;
  /** Seconds between plain lines when the stream is not a terminal. Default 10 s. */
  plainIntervalMs?: number;
}

export interface ProgressSnapshot {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  retries: number;
  elapsedMs: number;
  /** Lines finished (done or failed) per second in this run; skipped ones cost nothing. */
  rate: number;
  /** Undefined until the rate is known. */
  etaMs?: number;
}

const REDRAW_MS = 100;

export class Progress {
  private total = 0;
  private counts = { done: 0, failed: 0, skipped: 0, retries: 0 };
  private startedAt = 0;
  private lastDraw = 0;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly tty: boolean;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? Date.now;
    this.tty = opts.stream.isTTY === true;
  }

  start(total: number): void {
    this.total = total;
    this.startedAt = this.now();
    if (!this.opts.enabled) return;
    // Keeps ETA fresh on a terminal between completions; the plain heartbeat shows a stuck run is alive.
    this.timer = setInterval(() => this.draw(true), this.tty ? 1000 : (this.opts.plainIntervalMs ?? 10_000));
    this.timer.unref();
    this.draw(true);
  }

  done(): void {
    this.counts.done++;
    this.draw(false);
  }

  failed(): void {
    this.counts.failed++;
    this.draw(false);
  }

  skipped(): void {
    this.counts.skipped++;
    this.draw(false);
  }

  retried(): void {
    this.counts.retries++;
  }

  /** Information a --quiet run does without (what is about to happen). */
  info(message: string): void {
    if (this.opts.enabled) this.log(message);
  }

  /** A message on its own line, above the bar on a terminal; printed even when disabled. */
  log(message: string): void {
    if (this.tty && this.opts.enabled && this.timer) {
      this.opts.stream.write(`\r\x1b[K${message}\n`);
      this.draw(true);
    } else {
      this.opts.stream.write(`${message}\n`);
    }
  }

  /** Final state: the bar is completed with a newline; in plain mode one last line. Idempotent. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.opts.stream.write(`\r\x1b[K${this.barLine()}\n`);
    else this.opts.stream.write(`${this.plainLine()}\n`);
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Math.max(0, this.now() - this.startedAt);
    const finished = this.counts.done + this.counts.failed;
    const rate = elapsedMs > 0 ? finished / (elapsedMs / 1000) : 0;
    const remaining = Math.max(0, this.total - finished - this.counts.skipped);
    return {
      total: this.total,
      ...this.counts,
      elapsedMs,
      rate,
      etaMs: remaining === 0 ? 0 : rate > 0 ? (remaining / rate) * 1000 : undefined,
    };
  }

  private draw(force: boolean): void {
    if (!this.opts.enabled || !this.timer) return;
    if (!this.tty) {
      // Plain mode prints on the heartbeat only: one line per interval whatever the rate.
      if (force) this.opts.stream.write(`${this.plainLine()}\n`);
      return;
    }
    const t = this.now();
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    this.opts.stream.write(`\r\x1b[K${this.barLine()}`);
  }

  private barLine(): string {
    const s = this.snapshot();
    const finished = s.done + s.failed + s.skipped;
    const pct = s.total > 0 ? Math.floor((finished / s.total) * 100) : 100;
    const tail = ` ${finished}/${s.total} ${String(pct).padStart(3)}%  ${s.rate.toFixed(1)}/s  ETA ${formatDuration(s.etaMs)}${s.failed ? `  ${s.failed} failed` : ''}`;
    const width = Math.max(10, Math.min(40, (this.opts.stream.columns || 80) - tail.length - 3));
    const filled = s.total > 0 ? Math.round((finished / s.total) * width) : width;
    return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${tail}`;
  }

  private plainLine(): string {
    const s = this.snapshot();
    const finished = s.done + s.failed + s.skipped;
    const pct = s.total > 0 ? Math.floor((finished / s.total) * 100) : 100;
    return (
      `progress ${finished}/${s.total} (${pct}%) done=${s.done} failed=${s.failed} skipped=${s.skipped} ` +
      `rate=${s.rate.toFixed(1)}/s eta=${formatDuration(s.etaMs)} elapsed=${formatDuration(s.elapsedMs)}`
    );
  }
}

/** 0:07, 12:30, 1:02:03; "--:--" when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '--:--';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
