// Renders one create request in the shared Chromium: a fresh context per job (isolation),
// content or navigation, the waits, then a PNG capture of the right region.
import type { BrowserContext, Page } from 'playwright-core';
import { RenderInputError } from '@pixelfarm/errors';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import { BrowserHost } from './browser-host';
import { buildDocument, isSnippet } from './page-document';
import { NetworkGuard } from './network-guard';
import { EgressProxy } from './egress-proxy';
import type { Renderer, RenderOutput } from './renderer';

export interface ChromiumRendererOptions {
  executablePath: string;
  urlAllowlist: readonly string[];
  /** DNS resolution used by the egress policy (tests inject one). Default: the system resolver. */
  lookup?: (host: string) => Promise<string[]>;
  /** Hard budget for one render, all phases included. */
  timeoutMs: number;
  /** Tallest capture in CSS pixels (full page and auto-crop). */
  maxCaptureHeight: number;
  /** Pixel budget of one capture (width × height × device_scale²); larger captures are refused. */
  maxRenderPixels?: number;
  /** V8 heap limit of each page in MB. */
  pageHeapMb?: number;
  onBrowserDisconnect?: () => void;
}

const DEFAULT_VIEWPORT = { width: 1920, height: 1080 };
const DEFAULT_MAX_WAIT_MS = 10_000;

interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class ChromiumRenderer implements Renderer {
  private readonly host: BrowserHost;
  private readonly guard: NetworkGuard;
  private readonly proxy: EgressProxy;
  private started?: Promise<void>;

  constructor(private readonly options: ChromiumRendererOptions) {
    this.guard = new NetworkGuard(options.urlAllowlist, options.lookup);
    this.proxy = new EgressProxy({ guard: this.guard });
    this.host = new BrowserHost({
      executablePath: options.executablePath,
      onDisconnect: options.onBrowserDisconnect,
      proxyServer: () => this.proxy.url,
      pageHeapMb: options.pageHeapMb,
    });
  }

  /** Starts the egress proxy and launches the browser ahead of the first job, so start-up fails early when it cannot. */
  start(): Promise<void> {
    this.started ??= this.proxy.start().then(() => this.host.acquire().then(() => undefined));
    return this.started;
  }

  isHealthy(): boolean {
    return this.host.isConnected();
  }

  async render(request: CreateImageRequest): Promise<RenderOutput> {
    await this.start();
    const browser = await this.host.acquire();
    const landscape = request.viewport_landscape === true;
    let viewport = request.viewport_width
      ? { width: request.viewport_width, height: request.viewport_height! }
      : DEFAULT_VIEWPORT;
    if (landscape && viewport.height > viewport.width) viewport = { width: viewport.height, height: viewport.width };
    const context = await browser.newContext({
      viewport,
      deviceScaleFactor: request.device_scale ?? (request.url ? 1 : 2),
      isMobile: request.viewport_mobile ?? false,
      hasTouch: request.viewport_touch ?? false,
      colorScheme: request.color_scheme ?? 'light',
      timezoneId: request.timezone,
      javaScriptEnabled: true,
      serviceWorkers: 'block',
      acceptDownloads: false,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = this.renderInContext(context, request);
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RenderInputError(`The render took longer than ${this.options.timeoutMs} ms and was stopped`)),
          this.options.timeoutMs,
        );
      });
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
      // Closing the context kills its renderer process, which also ends a runaway script.
      await context.close().catch(() => undefined);
    }
  }

  private async renderInContext(context: BrowserContext, request: CreateImageRequest): Promise<RenderOutput> {
    // Egress policy is enforced by the egress proxy every request goes through (no per-request
    // interception here: it would cost a round trip to Node for each subresource).
    const page = await context.newPage();
    // A crashed page (out of memory, renderer killed) fails this request with a clear error;
    // the browser and the other jobs carry on.
    const crashed = new Promise<never>((_, reject) =>
      page.once('crash', () => reject(new RenderInputError('The page crashed while rendering (it may use too much memory)'))),
    );
    crashed.catch(() => undefined);
    return Promise.race([this.renderPage(page, request), crashed]);
  }

  private async renderPage(page: Page, request: CreateImageRequest): Promise<RenderOutput> {
    const maxWait = request.max_wait_ms ?? DEFAULT_MAX_WAIT_MS;
    if (request.render_when_ready) {
      await page.addInitScript(() => {
        (window as unknown as { ScreenshotReady: () => void }).ScreenshotReady = () => {
          (window as unknown as { __pixelfarmReady: boolean }).__pixelfarmReady = true;
        };
      });
    }
    if (request.media_type) await page.emulateMedia({ media: request.media_type });

    const t0 = Date.now();
    await this.load(page, request, maxWait);
    const t1 = Date.now();
    await this.waitUntilReady(page, request, maxWait, t0);
    const t2 = Date.now();
    const clip = await this.captureRegion(page, request);
    this.checkPixelBudget(clip ?? page.viewportSize()!, request.device_scale ?? (request.url ? 1 : 2));
    const png = await page.screenshot({
      type: 'png',
      clip,
      fullPage: !!clip || request.full_screen === true,
      omitBackground: request.transparent_background === true,
      animations: 'allow',
      caret: 'hide',
      timeout: this.options.timeoutMs,
    });
    return { png, timings: { load: t1 - t0, wait: t2 - t1, capture: Date.now() - t2 } };
  }

  private async load(page: Page, request: CreateImageRequest, maxWait: number): Promise<void> {
    if (request.html !== undefined) {
      await page.setContent(buildDocument(request.html, request.css), { waitUntil: 'load', timeout: maxWait }).catch((err) => {
        // Slow subresources: capture what is there once the wait budget is spent.
        if (!isTimeout(err)) throw err;
      });
      return;
    }
    if (!(await this.guard.isAllowed(request.url!))) {
      throw new RenderInputError('url points to a private or unreachable address, which this service does not load');
    }
    try {
      await page.goto(request.url!, { waitUntil: 'load', timeout: maxWait });
    } catch (err) {
      if (!isTimeout(err)) throw new RenderInputError(`The url could not be loaded: ${firstLine(err)}`);
    }
    if (request.css) await page.addStyleTag({ content: request.css });
  }

  private async waitUntilReady(page: Page, request: CreateImageRequest, maxWait: number, start: number): Promise<void> {
    const left = () => Math.max(0, maxWait - (Date.now() - start));
    await page
      .evaluate(() => document.fonts.ready.then(() => undefined))
      .catch(() => undefined);
    if (request.render_when_ready && left() > 0) {
      await page
        .waitForFunction(
          () =>
            (window as unknown as { __pixelfarmReady?: boolean }).__pixelfarmReady === true ||
            document.querySelector('#HCTIReadyNow') !== null,
          undefined,
          { timeout: left(), polling: 50 },
        )
        .catch(() => undefined);
    }
    if (request.ms_delay) await page.waitForTimeout(Math.min(request.ms_delay, left()));
  }

  private checkPixelBudget(area: { width: number; height: number }, scale: number): void {
    const budget = this.options.maxRenderPixels ?? Infinity;
    if (area.width * area.height * scale * scale > budget) {
      throw new RenderInputError(
        `The capture (${Math.round(area.width)}x${Math.round(area.height)} at device_scale ${scale}) is over the limit of ${budget} pixels`,
      );
    }
  }

  /** The clip for selector and snippet auto-crop; undefined captures the viewport or full page. */
  private async captureRegion(page: Page, request: CreateImageRequest): Promise<Clip | undefined> {
    const maxHeight = this.options.maxCaptureHeight;
    if (request.selector) {
      let box: Clip | null;
      try {
        box = await page.locator(request.selector).first().boundingBox({ timeout: 1000 });
      } catch (err) {
        if (isTimeout(err)) box = null;
        else throw new RenderInputError(`selector is not a valid CSS selector: ${request.selector}`);
      }
      if (!box || box.width < 1 || box.height < 1) {
        throw new RenderInputError(`No visible element matches the selector ${request.selector}`);
      }
      return clamp(box, maxHeight);
    }
    if (request.html !== undefined && request.viewport_width === undefined && isSnippet(request.html)) {
      const box = await page.evaluate(outermostMarginBox);
      if (box) return clamp(box, maxHeight);
    }
    if (request.full_screen) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      const width = page.viewportSize()!.width;
      return { x: 0, y: 0, width, height: Math.min(Math.max(1, height), maxHeight) };
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.host.close();
    await this.proxy.close();
  }
}

/** Runs in the page: the union of the margin boxes of body's top-level elements. */
function outermostMarginBox(): Clip | null {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const el of Array.from(document.body.children)) {
    if (['SCRIPT', 'STYLE', 'LINK', 'META', 'TEMPLATE'].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (s.display === 'none') continue;
    left = Math.min(left, r.left - parseFloat(s.marginLeft));
    top = Math.min(top, r.top - parseFloat(s.marginTop));
    right = Math.max(right, r.right + parseFloat(s.marginRight));
    bottom = Math.max(bottom, r.bottom + parseFloat(s.marginBottom));
  }
  if (!Number.isFinite(left) || right - left < 1 || bottom - top < 1) return null;
  const x = Math.max(0, left + window.scrollX);
  const y = Math.max(0, top + window.scrollY);
  return { x, y, width: right + window.scrollX - x, height: bottom + window.scrollY - y };
}

function clamp(box: Clip, maxHeight: number): Clip {
  return { x: box.x, y: box.y, width: Math.max(1, box.width), height: Math.max(1, Math.min(box.height, maxHeight)) };
}

function isTimeout(err: unknown): boolean {
  return (err as Error)?.name === 'TimeoutError';
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}
