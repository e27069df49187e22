// Warm pages reused across jobs: opening a page costs ~0.4 s, a warm page renders a card in
// ~60 ms. Each pooled page lives in its own browser context, so wiping cookies and storage
// after a job never touches a neighbour's job. A page that crashed, hung or belongs to a
// retired browser is discarded and replaced on demand.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { BrowserHost, BrowserLease } from './browser-host';
import { RENDER_ORIGIN } from './render-documents';

export interface PooledPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  lease: BrowserLease;
}

export interface PagePoolOptions {
  host: BrowserHost;
  /** Pages kept warm (the worker's concurrency). */
  size: number;
}

export class PagePool {
  private readonly idle: PooledPage[] = [];
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
      while (this.idle.length > 0) {
        const candidate = this.idle.pop()!;
        if (candidate.lease.isCurrent() && !candidate.page.isClosed()) return candidate;
        void this.discard(candidate);
      }
      return await this.create();
    } catch (err) {
      this.inUse--;
      throw err;
    }
  }

  /**
   * Returns a page after its job. Healthy pages are wiped (storage, cookies, document) and kept;
   * anything that failed to wipe, or ran a job that failed, is thrown away.
   */
  async release(pooled: PooledPage, healthy: boolean): Promise<void> {
    this.inUse--;
    if (!healthy || this.closed || !pooled.lease.isCurrent() || this.idle.length >= this.options.size) {
      await this.discard(pooled);
      return;
    }
    try {
      await pooled.page.goto('about:blank', { timeout: 2000 });
      // window.name belongs to the browsing context and survives same-site navigations.
      await pooled.page.evaluate(() => {
        window.name = '';
      });
      await pooled.cdp.send('Storage.clearDataForOrigin', { origin: RENDER_ORIGIN, storageTypes: 'all' });
      await pooled.context.clearCookies();
      await pooled.cdp.send('Emulation.setTimezoneOverride', { timezoneId: '' }).catch(() => undefined);
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
      return { context, page, cdp, lease };
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
    await Promise.all(this.idle.splice(0).map((p) => this.discard(p)));
  }
}
