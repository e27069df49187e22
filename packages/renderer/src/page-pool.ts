// Warm pages reused across jobs: opening a page costs ~0.4 s, a warm page renders a card in
// ~60 ms. Each pooled page lives in its own browser context, so wiping cookies and storage
// after a job never touches a neighbour's job. After each job the page navigates to a fresh
// about:blank (new document and realm: the job's scripts, timers, globals and DOM are gone)
// and the storage of every origin its frames visited is cleared. A page that crashed, hung
// or belongs to a retired browser is discarded and replaced on demand.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { BrowserHost, BrowserLease } from './browser-host';

export interface PooledPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  lease: BrowserLease;
  /** Emulation last applied to the page (viewport, scale, media…), so unchanged settings are not re-sent. */
  emulation?: string;
  /** Origins the page's frames navigated to during the job: their storage is wiped after it. */
  origins: Set<string>;
}

export interface PagePoolOptions {
  host: BrowserHost;
  /** Pages kept warm (the worker's concurrency). */
  size: number;
}

export class PagePool {
  private readonly idle: PooledPage[] = [];
  /** Pages being wiped after their job; the next job waits for one rather than opening a page. */
  private readonly wiping = new Set<Promise<void>>();
  private inUse = 0;
  private closed = false;

  constructor(private readonly options: PagePoolOptions) {}

  stats(): { inUse: number; size: number; idle: number } {
    return { inUse: this.inUse, size: this.options.size, idle: this.idle.length };
  }

  /** A clean page: an idle one of the current browser, or a new one. */
  async acquire(): Promise<PooledPage> {
    if (this.closed) throw new Error('Page pool is closed');
    this.inUse++;
    try {
      for (;;) {
        while (this.idle.length > 0) {
          const candidate = this.idle.pop()!;
          if (candidate.lease.isCurrent() && !candidate.page.isClosed()) return candidate;
          void this.discard(candidate);
        }
        if (this.wiping.size === 0) return await this.create();
        await Promise.race(this.wiping);
      }
    } catch (err) {
      this.inUse--;
      throw err;
    }
  }

  /**
   * Returns a page after its job, at once: the wipe (navigate away, which ends the job's
   * scripts and timers, then storage, cookies and window.name) runs in the background, off the
   * job's latency. Pages that failed, or fail to wipe, are thrown away.
   */
  release(pooled: PooledPage, healthy: boolean): void {
    this.inUse--;
    if (!healthy || this.closed || !pooled.lease.isCurrent() || this.idle.length >= this.options.size) {
      void this.discard(pooled);
      return;
    }
    const wipe = this.wipe(pooled).finally(() => this.wiping.delete(wipe));
    this.wiping.add(wipe);
  }

  private async wipe(pooled: PooledPage): Promise<void> {
    try {
      await pooled.page.goto('about:blank', { timeout: 2000 });
      // window.name belongs to the browsing context and survives same-site navigations.
      await pooled.page.evaluate(() => {
        window.name = '';
      });
      for (const origin of pooled.origins) {
        await pooled.cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
      }
      pooled.origins.clear();
      await pooled.context.clearCookies();
      // The browser may have been retired while we wiped: then the page goes, not back to idle.
      if (this.closed || !pooled.lease.isCurrent()) throw new Error('stale');
      this.idle.push(pooled);
    } catch {
      await this.discard(pooled);
    }
  }

  /** Closes idle pages of a retired or dead browser now, so it can drain and close. */
  async dropStale(): Promise<void> {
    const stale = this.idle.filter((p) => !p.lease.isCurrent());
    for (const p of stale) this.idle.splice(this.idle.indexOf(p), 1);
    await Promise.all(stale.map((p) => this.discard(p)));
  }

  private async create(): Promise<PooledPage> {
    const lease = await this.options.host.lease();
    try {
      const context = await lease.browser.newContext({ serviceWorkers: 'block', acceptDownloads: false, viewport: null });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      const origins = new Set<string>();
      page.on('framenavigated', (frame) => {
        const origin = originOf(frame.url());
        if (origin) origins.add(origin);
      });
      return { context, page, cdp, lease, origins };
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  private async discard(pooled: PooledPage): Promise<void> {
    // Closing the context kills its renderer process, which also ends a runaway script.
    await pooled.context.close().catch(() => undefined);
    pooled.lease.release();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.wiping);
    await Promise.all(this.idle.splice(0).map((p) => this.discard(p)));
  }
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
