// Renders create requests in the worker's long-lived Chromium. The common case (HTML without
// device emulation) runs on a warm pooled page, with scripting off when the document has no
// scripts (see static-document.ts); requests that need their own browser context
// (mobile or touch emulation, and url captures, whose cookies and storage span origins) get
// a fresh context. Either way every job has a hard time budget, and a crashed or runaway page
// fails only its own request.
import { AppError, RenderInputError } from '@pixelfarm/errors';
import { PDF_DEFAULT_PAGE, type CreateImageRequest } from '@pixelfarm/schemas';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { BrowserHost } from './browser-host';
import { NetworkGuard } from './network-guard';
import { EgressProxy } from './egress-proxy';
import { PagePool, type PageUse } from './page-pool';
import { isStaticRequest, mayScrollItself } from './static-document';
import { DEFAULT_MAX_WAIT_MS, deviceScaleOf, PageSession, viewportOf } from './page-session';
import type { Renderer, RendererStats, RenderOutput } from './renderer';

export interface ChromiumRendererOptions {
  executablePath: string;
  urlAllowlist: readonly string[];
  /** DNS resolution used by the egress policy (tests inject one). Default: the system resolver. */
  lookup?: (host: string) => Promise<string[]>;
  /** Where google_fonts stylesheets are fetched from. Default Google Fonts' CSS2 endpoint. */
  fontsCssUrl?: string;
  /** Hard budget for one render, all phases included. */
  timeoutMs: number;
  /** Tallest capture in CSS pixels (full page and auto-crop). */
  maxCaptureHeight: number;
  /** Pixel budget of one capture (width × height × device_scale²); larger captures are refused. Default 40 M. */
  maxRenderPixels?: number;
  /** V8 heap limit of each page in MB. */
  pageHeapMb?: number;
  /** Warm pages kept: twice the worker's concurrency lets pages be wiped while others render. Default 4. */
  poolSize?: number;
  /** Renders after which the browser is replaced (drained first). Default 1000. */
  recycleAfterRenders?: number;
  /** Browser memory (MB) above which it is replaced. Default 2048. */
  recycleAboveMb?: number;
  onBrowserDisconnect?: () => void;
  onBrowserRecycle?: (reason: 'renders' | 'memory') => void;
}

export class ChromiumRenderer implements Renderer {
  private readonly host: BrowserHost;
  private readonly guard: NetworkGuard;
  private readonly proxy: EgressProxy;
  private readonly pool: PagePool;
  private started?: Promise<void>;

  constructor(private readonly options: ChromiumRendererOptions) {
    this.guard = new NetworkGuard(options.urlAllowlist, options.lookup);
    this.proxy = new EgressProxy({ guard: this.guard });
    this.host = new BrowserHost({
      executablePath: options.executablePath,
      proxyServer: () => this.proxy.url,
      pageHeapMb: options.pageHeapMb,
      recycleAfterRenders: options.recycleAfterRenders,
      recycleAboveMb: options.recycleAboveMb,
      onDisconnect: options.onBrowserDisconnect,
      onRecycle: (reason) => {
        void this.pool.dropStale();
        options.onBrowserRecycle?.(reason);
      },
    });
    this.pool = new PagePool({ host: this.host, size: options.poolSize ?? 4 });
  }

  /** Starts the egress proxy and launches the browser ahead of the first job, so start-up fails early when it cannot. */
  start(): Promise<void> {
    this.started ??= this.proxy.start().then(() => this.host.acquire().then(() => undefined));
    return this.started;
  }

  isHealthy(): boolean {
    return this.host.isConnected();
  }

  stats(): RendererStats {
    const { inUse, size } = this.pool.stats();
    return { pagesInUse: inUse, poolSize: size };
  }

  async render(request: CreateImageRequest): Promise<RenderOutput> {
    await this.start();
    try {
      return this.usesPool(request) ? await this.renderPooled(request) : await this.renderIsolated(request);
    } finally {
      this.host.noteRender();
    }
  }

  async renderPdf(request: CreateImageRequest): Promise<Buffer> {
    await this.start();
    const lease = await this.host.lease();
    try {
      const context = await lease.browser.newContext({ viewport: viewportOf(request), serviceWorkers: 'block', acceptDownloads: false, timezoneId: request.timezone });
      try {
        if (request.url && request.headers) await sendHeadersToOrigin(context, request.url, request.headers);
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        let pdf: Buffer | undefined;
        await this.withBudget(page, async () => {
          const session = this.session(page, cdp);
          const maxWait = request.max_wait_ms ?? DEFAULT_MAX_WAIT_MS;
          const t0 = Date.now();
          await session.load(request, maxWait, (url) => this.guard.isAllowed(url));
          await session.waitUntilReady(request, maxWait, t0);
          const o = request.pdf_options ?? {};
          const len = (v: string | number | undefined) => (typeof v === 'number' ? `${v}px` : v);
          pdf = await page
            .pdf({
              width: len(o.page_width) ?? PDF_DEFAULT_PAGE.width,
              height: len(o.page_height) ?? PDF_DEFAULT_PAGE.height,
              scale: o.scale ?? 1,
              printBackground: o.print_background ?? true,
              margin: o.margins ? { top: len(o.margins[0]), right: len(o.margins[1]), bottom: len(o.margins[2]), left: len(o.margins[3]) } : undefined,
            })
            .catch((err: unknown) => {
              // Chromium refuses the page geometry (the schema checks it, but not for requests
              // stored before it did): printing again would fail the same way.
              const refused = /Page\.printToPDF\): (invalid print parameters.*)/.exec(String((err as Error)?.message ?? err));
              if (refused) throw new RenderInputError(`The PDF could not be printed with these pdf_options: ${refused[1]!.split('\n')[0]}`);
              throw err;
            });
          return { png: Buffer.alloc(0), timings: { load: 0, wait: 0, capture: 0 } };
        });
        return pdf!;
      } finally {
        await context.close().catch(() => undefined);
      }
    } finally {
      lease.release();
      this.host.noteRender();
    }
  }

  private session(page: Page, cdp: CDPSession): PageSession {
    return new PageSession(page, cdp, {
      maxCaptureHeight: this.options.maxCaptureHeight,
      maxRenderPixels: this.options.maxRenderPixels ?? 40_000_000,
      fontsCssUrl: this.options.fontsCssUrl ?? 'https://fonts.googleapis.com/css2',
    });
  }

  /** Requests whose emulation can be set per page; the rest need a context of their own. */
  private usesPool(request: CreateImageRequest): boolean {
    return request.html !== undefined && !request.viewport_mobile && !request.viewport_touch;
  }

  private async renderPooled(request: CreateImageRequest): Promise<RenderOutput> {
    const pooled = await this.pool.acquire(isStaticRequest(request) ? 'static' : 'scripted');
    let healthy = false;
    try {
      const output = await this.withBudget(pooled.page, () => this.run(pooled, request));
      healthy = true;
      return output;
    } finally {
      this.pool.release(pooled, healthy, pooled.use === 'scripted' || mayScrollItself(request.html!, request.css));
    }
  }

  private async renderIsolated(request: CreateImageRequest): Promise<RenderOutput> {
    const lease = await this.host.lease();
    try {
      const context = await lease.browser.newContext({
        viewport: viewportOf(request),
        deviceScaleFactor: deviceScaleOf(request),
        isMobile: request.viewport_mobile ?? false,
        hasTouch: request.viewport_touch ?? false,
        colorScheme: request.color_scheme ?? 'light',
        timezoneId: request.timezone,
        serviceWorkers: 'block',
        acceptDownloads: false,
      });
      try {
        if (request.url && request.headers) await sendHeadersToOrigin(context, request.url, request.headers);
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        if (request.media_type) await page.emulateMedia({ media: request.media_type });
        return await this.withBudget(page, () => this.run({ page, cdp }, request));
      } finally {
        // Closing the context kills its renderer process, which also ends a runaway script.
        await context.close().catch(() => undefined);
      }
    } finally {
      lease.release();
    }
  }

  /** Races the work against the time budget and the page crashing. */
  private async withBudget(page: Page, work: () => Promise<RenderOutput>): Promise<RenderOutput> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RenderInputError(`The render took longer than ${this.options.timeoutMs} ms and was stopped`)),
        this.options.timeoutMs,
      );
    });
    let onCrash = () => {};
    const crashed = new Promise<never>((_, reject) => {
      onCrash = () => reject(new RenderInputError('The page crashed while rendering (it may use too much memory)'));
      page.on('crash', onCrash);
    });
    const running = work();
    // Whichever loses the race must not surface as an unhandled rejection later.
    running.catch(() => undefined);
    crashed.catch(() => undefined);
    try {
      return await Promise.race([running, deadline, crashed]);
    } catch (err) {
      // window.close() from the page's own script: its fault, and a retry would do the same.
      // (A browser that died is disconnected, and stays an internal failure.)
      if (!(err instanceof AppError) && page.isClosed()) {
        // Let a browser that is dying report its disconnect first, whatever order the events take.
        await new Promise((resolve) => setImmediate(resolve));
        if (page.context().browser()?.isConnected()) throw new RenderInputError('The page closed itself (window.close()) before it could be captured');
      }
      throw err;
    } finally {
      clearTimeout(timer);
      // Pooled pages serve many jobs: do not pile up one listener per job.
      page.off('crash', onCrash);
    }
  }

  /** Renders on a page; a pooled page (one with an emulation record) gets per-page emulation. */
  private async run(target: { page: Page; cdp: CDPSession; emulation?: string; use?: PageUse }, request: CreateImageRequest): Promise<RenderOutput> {
    const pooled = 'lease' in target;
    const session = this.session(target.page, target.cdp);
    const viewport = viewportOf(request);
    if (pooled) target.emulation = await session.emulate(request, viewport, target.emulation);
    const maxWait = request.max_wait_ms ?? DEFAULT_MAX_WAIT_MS;

    const t0 = Date.now();
    await session.load(request, maxWait, (url) => this.guard.isAllowed(url));
    const t1 = Date.now();
    await session.waitUntilReady(request, maxWait, t0, target.use === 'static');
    const t2 = Date.now();
    const clip = await session.region(request, viewport);
    session.checkPixelBudget(clip, deviceScaleOf(request));
    const png = await session.capture(clip, viewport, request.transparent_background === true);
    return { png, timings: { load: t1 - t0, wait: t2 - t1, capture: Date.now() - t2 } };
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.host.close();
    await this.proxy.close();
  }
}

/**
 * Adds the request's extra headers to requests for the url's own origin only: third parties
 * embedded by the page (ads, CDNs, analytics) never see a customer's tokens.
 */
async function sendHeadersToOrigin(context: BrowserContext, url: string, headers: Record<string, string>): Promise<void> {
  const origin = new URL(url).origin;
  await context.route('**/*', async (route) => {
    const req = route.request();
    let same = false;
    try {
      same = new URL(req.url()).origin === origin;
    } catch {
      same = false;
    }
    await route.continue(same ? { headers: { ...req.headers(), ...headers } } : undefined);
  });
}
