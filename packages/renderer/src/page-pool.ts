// Warm pages reused across jobs: opening a page costs ~0.4 s, a warm page renders a card in
// ~60 ms. Each pooled page lives in its own browser context, so wiping cookies and storage
// after a job never touches a neighbour's job. A page is leased for one of two uses:
//   scripted  the job's scripts run. The page starts from a freshly navigated about:blank and,
//             after the job, navigates to a new about:blank (new document and realm: the job's
//             scripts, timers, globals and DOM are gone) and the storage of every origin its
//             frames visited is cleared.
//   static    scripting is off on the page (see static-document.ts), so the job cannot plant
//             or read anything in the realm; the next static job replaces its document in
//             place. This skips the navigation, which costs more browser CPU than a card.
//             Before a scripted job may use such a page it is navigated again, since static
//             documents leave performance entries and the scroll offset on the realm.
// A page that crashed, hung or belongs to a retired browser is discarded and replaced on demand.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { BrowserHost, BrowserLease } from './browser-host';

export type PageUse = 'static' | 'scripted';

export interface PooledPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  lease: BrowserLease;
  /** Emulation last applied to the page (viewport, scale, media…), so unchanged settings are not re-sent. */
  emulation?: string;
  /** Origins the page's frames navigated to during the job: their storage is wiped after it. */
  origins: Set<string>;
  /**
   * What the page is set up for: scripting on or off (the CDP setting persists across
   * documents), and whether its document may hold static jobs' leftovers.
   */
  use: PageUse;
  /** Whether the page made network requests since its last clean-up (only those can set cookies). */
  requested: boolean;
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

  /** A clean page for `use`: an idle one of the current browser, or a new one. */
  async acquire(use: PageUse = 'scripted'): Promise<PooledPage> {
    if (this.closed) throw new Error('Page pool is closed');
    this.inUse++;
    try {
      for (;;) {
        let candidate: PooledPage | undefined;
        while ((candidate = this.takeIdle(use))) {
          if (!candidate.lease.isCurrent() || candidate.page.isClosed()) {
            void this.discard(candidate);
            continue;
          }
          try {
            return await this.prepare(candidate, use);
          } catch {
            await this.discard(candidate); // a broken idle page: try the next one
          }
        }
        if (this.wiping.size === 0) {
          const created = await this.create();
          try {
            return await this.prepare(created, use);
          } catch (err) {
            await this.discard(created); // a new page that cannot be set up: the browser is in trouble
            throw err;
          }
        }
        await Promise.race(this.wiping);
      }
    } catch (err) {
      this.inUse--;
      throw err;
    }
  }

  /** An idle page, preferring one that needs no navigation for this use. */
  private takeIdle(use: PageUse): PooledPage | undefined {
    let index = this.idle.length - 1;
    for (let i = index; i >= 0; i--) {
      if (this.idle[i]!.use === use) {
        index = i;
        break;
      }
    }
    return index >= 0 ? this.idle.splice(index, 1)[0] : undefined;
  }

  /** Readies a page set up for static jobs for a scripted one (fresh document, scripting on), or the other way round. */
  private async prepare(pooled: PooledPage, use: PageUse): Promise<PooledPage> {
    if (pooled.use === use) return pooled;
    if (use === 'scripted') await pooled.page.goto('about:blank', { timeout: 2000 });
    await pooled.cdp.send('Emulation.setScriptExecutionDisabled', { value: use === 'static' });
    pooled.use = use;
    return pooled;
  }

  /**
   * Returns a page after its job, at once: the clean-up runs in the background, off the job's
   * latency. After a scripted job (or a static one whose frame navigated anyway) that is the
   * wipe; after a static job, cookies that subresource responses set, and the document's
   * content and scroll offset (which document.open keeps). Pages that failed, or fail to
   * clean up, are thrown away.
   */
  release(pooled: PooledPage, healthy: boolean): void {
    this.inUse--;
    if (!healthy || this.closed || !pooled.lease.isCurrent() || this.idle.length >= this.options.size) {
      void this.discard(pooled);
      return;
    }
    const clean = pooled.use === 'static' && pooled.origins.size === 0 ? this.tidy(pooled) : this.wipe(pooled);
    const wipe = clean.finally(() => this.wiping.delete(wipe));
    this.wiping.add(wipe);
  }

  private async tidy(pooled: PooledPage): Promise<void> {
    try {
      // Emptying the document also stops its CSS animations and GIFs from using CPU while idle.
      await pooled.page.evaluate(() => {
        document.replaceChildren();
        window.scrollTo(0, 0);
      });
      // Only responses set cookies here (a static page has no script): no request, nothing to clear.
      // Reset first: a request reported while clearing counts for the next clean-up.
      const requested = pooled.requested;
      pooled.requested = false;
      if (requested) await pooled.context.clearCookies();
      this.returnIdle(pooled);
    } catch {
      await this.discard(pooled);
    }
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
      pooled.requested = false;
      await pooled.context.clearCookies();
      this.returnIdle(pooled);
    } catch {
      await this.discard(pooled);
    }
  }

  private returnIdle(pooled: PooledPage): void {
    // The browser may have been retired while we cleaned up: then the page goes, not back to idle.
    if (this.closed || !pooled.lease.isCurrent()) throw new Error('stale');
    this.idle.push(pooled);
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
      const pooled: PooledPage = { context, page, cdp, lease, origins, use: 'scripted', requested: false };
      page.on('request', () => {
        pooled.requested = true;
      });
      return pooled;
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
