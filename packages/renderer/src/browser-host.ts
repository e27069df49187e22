// Owns the worker's long-lived Chromium: launched once and shared by every job (never a browser
// per job), relaunched when it disconnects (crash, OOM kill), and recycled after a number of
// renders or above a memory size, because long-running Chromium creeps in memory. Recycling
// drains: the retiring browser takes no new work and closes when its last lease is returned.
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export interface BrowserHostOptions {
  executablePath: string;
  /**
   * Forward proxy every page request must go through (the egress proxy). Loopback is not
   * bypassed: Chromium would otherwise connect to localhost directly, past the policy.
   */
  proxyServer?: () => string;
  /** V8 heap limit of each page's renderer, in MB (memory bombs crash their page only). */
  pageHeapMb: number;
  /** Renders after which the browser is replaced. */
  recycleAfterRenders: number;
  /** Resident memory of the browser's process tree (MB) above which it is replaced. */
  recycleAboveMb: number;
  /** How long a lease may wait for a launch: it is tried LAUNCH_TRIES times, each with a third of it. */
  launchTimeoutMs: number;
  /** Called when the browser dies unexpectedly (metrics, logs). */
  onDisconnect?: () => void;
  /** Called when a browser is retired on purpose. */
  onRecycle?: (reason: 'renders' | 'memory') => void;
}

// Flags needed on this kind of machine: no sandbox as root, and no background traffic to
// Google services, which a closed network refuses noisily.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
];

/** A browser handed to one job (or one pooled page); return it with release(). */
export interface BrowserLease {
  browser: Browser;
  /** False once the browser is retiring or gone: pooled pages of it should be discarded. */
  isCurrent(): boolean;
  release(): void;
}

const MEMORY_CHECK_EVERY = 25;
/** Launches tried before a lease fails (see launchTrying). */
const LAUNCH_TRIES = 3;

export class BrowserHost {
  private browser?: Browser;
  private launching?: Promise<Browser>;
  private closed = false;
  private renders = 0;
  private readonly leases = new Map<Browser, number>();
  private readonly retiring = new Set<Browser>();

  constructor(private readonly options: BrowserHostOptions) {}

  /** Leases the current browser, launching (or relaunching) it when needed. */
  async lease(): Promise<BrowserLease> {
    const browser = await this.acquire();
    this.leases.set(browser, (this.leases.get(browser) ?? 0) + 1);
    let released = false;
    return {
      browser,
      isCurrent: () => this.browser === browser && browser.isConnected(),
      release: () => {
        if (released) return;
        released = true;
        const left = (this.leases.get(browser) ?? 1) - 1;
        this.leases.set(browser, left);
        if (left <= 0 && this.retiring.has(browser)) void this.dispose(browser);
      },
    };
  }

  /** The connected browser, launching it when needed. */
  async acquire(): Promise<Browser> {
    if (this.closed) throw new Error('Browser host is closed');
    if (this.browser?.isConnected()) return this.browser;
    this.launching ??= this.launchTrying().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  isConnected(): boolean {
    return !!this.browser?.isConnected();
  }

  /** Counts a finished render and retires the browser when it is due. */
  noteRender(): void {
    this.renders++;
    if (this.renders >= this.options.recycleAfterRenders) return this.retire('renders');
    if (this.renders % MEMORY_CHECK_EVERY === 0 && treeMemoryMb() > this.options.recycleAboveMb) {
      this.retire('memory');
    }
  }

  private retire(reason: 'renders' | 'memory'): void {
    const browser = this.browser;
    if (!browser) return;
    this.browser = undefined;
    this.renders = 0;
    this.retiring.add(browser);
    this.options.onRecycle?.(reason);
    if ((this.leases.get(browser) ?? 0) <= 0) void this.dispose(browser);
  }

  private async dispose(browser: Browser): Promise<void> {
    this.leases.delete(browser);
    // Playwright removes the browser's temporary profile directory when it closes. It stays
    // in `retiring` until then, so its disconnect is not mistaken for a crash.
    await browser.close().catch(() => undefined);
    this.retiring.delete(browser);
  }

  /**
   * A launch that does not finish in its share of the time is tried again: a browser killed while
   * it relaunched after a crash was seen to leave the launch waiting for its whole timeout, while
   * a new launch takes a second or two.
   */
  private async launchTrying(): Promise<Browser> {
    for (let tries = 1; ; tries++) {
      try {
        return await this.launch();
      } catch (err) {
        if (this.closed || tries >= LAUNCH_TRIES) throw err;
      }
    }
  }

  private async launch(): Promise<Browser> {
    const browser = await chromium.launch({
      executablePath: this.options.executablePath,
      args: [
        ...CHROMIUM_ARGS,
        ...(this.options.proxyServer
          ? [`--proxy-server=${this.options.proxyServer()}`, '--proxy-bypass-list=<-loopback>']
          : []),
        `--js-flags=--max-old-space-size=${this.options.pageHeapMb}`,
      ],
      headless: true,
      timeout: Math.ceil(this.options.launchTimeoutMs / LAUNCH_TRIES),
      // We close the browser ourselves in order; Playwright's own handlers would race it.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    browser.on('disconnected', () => {
      const unexpected = !this.closed && !this.retiring.has(browser);
      if (this.browser === browser) this.browser = undefined;
      this.leases.delete(browser);
      if (unexpected) {
        this.options.onDisconnect?.();
        // Relaunch now rather than on the next job, so readiness recovers on an idle worker too.
        void this.acquire().catch(() => undefined);
      }
    });
    this.browser = browser;
    this.leases.set(browser, 0);
    return browser;
  }

  async close(): Promise<void> {
    this.closed = true;
    const current = this.browser ?? (await this.launching?.catch(() => undefined));
    this.browser = undefined;
    const all = new Set([...this.leases.keys(), ...this.retiring, ...(current ? [current] : [])]);
    await Promise.all([...all].map((b) => b.close().catch(() => undefined)));
    this.leases.clear();
    this.retiring.clear();
  }
}

/**
 * Memory (MB) of this process's descendants, the browser and its helpers, as their
 * proportional set size: each shared page counted once across the processes that map it.
 * Summing RSS counted Chromium's shared libraries, fonts and shared memory once per process:
 * with 16 warm pages (16 renderer processes) the sum passed BROWSER_RECYCLE_MB while the real
 * footprint was far below it, and the browser was recycled with every page every few dozen
 * renders, which collapsed throughput at high WORKER_CONCURRENCY.
 * Falls back to RSS where smaps_rollup is missing (kernels before 4.14).
 */
export function treeMemoryMb(root = process.pid): number {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(pid)]);
    } catch {
      // The process exited while we looked.
    }
  }
  let total = 0;
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += processMemoryBytes(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total / (1024 * 1024);
}

function processMemoryBytes(pid: number): number {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const pss = /^Pss:\s+(\d+) kB/m.exec(rollup);
    if (pss) return Number(pss[1]) * 1024;
  } catch {
    // No smaps_rollup (old kernel), or the process exited: RSS below, or nothing.
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[21]) * 4096;
  } catch {
    return 0;
  }
}
