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
//             A static job's document stays until the next one replaces it, or until the page
//             has been idle for a moment, when it is emptied (its CSS animations, GIFs or
//             blinking caret would keep drawing frames). Emptying it after every job cost
//             10-20 ms of browser CPU per render, and a bare evaluate in the page about as much.
//             A document that may have scrolled itself gets the full wipe (a navigation):
//             document.open keeps the scroll offset, and neither reading it before the next
//             job nor emptying the document and scrolling back held (a snap could land after
//             either). A new document starts at the top.
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
  /** How long a static job's document may stay on an idle page before it is emptied. Default 1000 ms. */
  emptyIdleAfterMs?: number;
}

const EMPTY_IDLE_AFTER_MS = 1000;

export class PagePool {
  private readonly idle: PooledPage[] = [];
  /** Pages being wiped after their job; the next job waits for one rather than opening a page. */
  private readonly wiping = new Set<Promise<void>>();
  /** Idle pages still holding a static job's document, with the timer that empties it. */
  private readonly leftovers = new Map<PooledPage, NodeJS.Timeout>();
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
    if (index < 0) return undefined;
    const [taken] = this.idle.splice(index, 1);
    this.cancelEmptying(taken!); // the job replaces the document itself
    return taken;
  }

  /** Readies a page set up for static jobs for a scripted one (fresh document, scripting on), or the other way round. */
  private async prepare(pooled: PooledPage, use: PageUse): Promise<PooledPage> {
    if (pooled.use === use) {
      // A document left on an idle page can still make requests (an animated background
      // image): cookies their responses set go before the next job. This is a second line:
      // measured against a loopback http server, a document on about:blank neither stores the
      // cookies of its subresources' responses nor sends stored ones (every request it makes is
      // cross-site), so no test here can show a leak this clear stops; it stays for https
      // origins and for a Chromium whose cookie rules differ.
      if (pooled.requested) {
        pooled.requested = false;
        await pooled.context.clearCookies();
      }
      return pooled;
    }
    if (use === 'scripted') await pooled.page.goto('about:blank', { timeout: 2000 });
    await pooled.cdp.send('Emulation.setScriptExecutionDisabled', { value: use === 'static' });
    pooled.use = use;
    return pooled;
  }

  /**
   * Returns a page after its job, at once: the clean-up runs in the background, off the job's
   * latency. After a scripted job (or a static one whose frame navigated anyway) that is the
   * wipe, and after a static job whose document `mayHaveScrolled` too; after a static job that
   * made requests, the cookies their responses set (and its document); after any other static
   * job, nothing until the page idles (see the top of this file).
   * Pages that failed, or fail to clean up, are thrown away.
   */
  release(pooled: PooledPage, healthy: boolean, mayHaveScrolled = true): void {
    this.inUse--;
    if (!healthy || this.closed || !pooled.lease.isCurrent() || this.idle.length >= this.options.size) {
      void this.discard(pooled);
      return;
    }
    this.track(pooled.use === 'static' && pooled.origins.size === 0 && !mayHaveScrolled ? this.tidy(pooled) : this.wipe(pooled));
  }

  /** Clean-ups in flight: acquire waits for one rather than opening a page, close waits for all. */
  private track(cleaning: Promise<void>): void {
    const tracked = cleaning.finally(() => this.wiping.delete(tracked));
    this.wiping.add(tracked);
  }

  private async tidy(pooled: PooledPage): Promise<void> {
    try {
      // Only responses set cookies here (a static page has no script): no request, nothing to
      // clear. Reset first: a request reported while clearing counts for the next clean-up.
      const requested = pooled.requested;
      pooled.requested = false;
      if (!requested) {
        this.returnIdle(pooled);
        this.emptyWhenIdle(pooled);
        return;
      }
      // Emptying the document also drops its subresources before the cookies go.
      await this.empty(pooled);
      await pooled.context.clearCookies();
      this.returnIdle(pooled);
    } catch {
      await this.discard(pooled);
    }
  }

  private async empty(pooled: PooledPage): Promise<void> {
    await pooled.page.evaluate(() => {
      document.replaceChildren();
      window.scrollTo(0, 0);
    });
  }

  /** Empties the page's document if the page is still idle after a while (see the top of this file). */
  private emptyWhenIdle(pooled: PooledPage): void {
    const timer = setTimeout(() => {
      this.leftovers.delete(pooled);
      const index = this.idle.indexOf(pooled);
      if (index < 0) return;
      // Out of the idle list while emptying, so no job writes its document in the meantime.
      this.idle.splice(index, 1);
      this.track(
        this.empty(pooled)
          .then(() => this.returnIdle(pooled))
          .catch(() => this.discard(pooled)),
      );
    }, this.options.emptyIdleAfterMs ?? EMPTY_IDLE_AFTER_MS);
    timer.unref();
    this.leftovers.set(pooled, timer);
  }

  /** The page's document will be replaced or thrown away: it no longer needs emptying. */
  private cancelEmptying(pooled: PooledPage): void {
    clearTimeout(this.leftovers.get(pooled));
    this.leftovers.delete(pooled);
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
    for (const p of stale) {
      this.idle.splice(this.idle.indexOf(p), 1);
      this.cancelEmptying(p);
    }
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
    for (const p of this.leftovers.keys()) this.cancelEmptying(p);
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
