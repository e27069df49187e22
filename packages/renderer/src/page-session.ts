// The steps of one render on one page, shared by pooled pages and per-job contexts:
// emulation, load, waits, the capture region and a fast CDP capture.
import type { CDPSession, Page, Request } from 'playwright-core';
import { RenderInputError } from '@pixelfarm/errors';
import { PDF_DEFAULT_PAGE, printLength } from '@pixelfarm/schemas';
import { buildDocument, mayLoadWebFonts, READY_HELPER } from './page-document';
import { EGRESS_REFUSED_HEADER } from './proxy-server';
import { CONSENT_BANNER_CSS, fontsCssHref } from './page-extras';
import type { PdfOptions, RenderPlan, Viewport } from './render-plan';
import { drawTwemoji } from './twemoji';

export interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SessionLimits {
  maxCaptureHeight: number;
  maxRenderPixels: number;
  /** Where google_fonts stylesheets come from (FONTS_CSS_URL). */
  fontsCssUrl: string;
}

export class PageSession {
  constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly limits: SessionLimits,
  ) {}

  /**
   * Per-page emulation, for pooled pages that were not created with the plan's emulation.
   * Returns the applied settings' key; when it equals `current`, nothing is sent (overrides
   * persist across navigations), which saves round trips on the common, repeated case.
   */
  async emulate(plan: Pick<RenderPlan, 'viewport' | 'scale' | 'emulation'>, current?: string): Promise<string> {
    const { viewport, scale, emulation } = plan;
    const timezone = emulation.timezone ?? '';
    const media = emulation.mediaType ?? 'screen';
    const colorScheme = emulation.colorScheme ?? 'light';
    const key = JSON.stringify([viewport, scale, timezone, media, colorScheme]);
    if (key === current) return key;
    await this.cdp.send('Emulation.setDeviceMetricsOverride', {
      width: viewport.width,
      height: viewport.height,
      deviceScaleFactor: scale,
      mobile: false,
    });
    await this.cdp.send('Emulation.setTimezoneOverride', { timezoneId: timezone });
    await this.page.emulateMedia({ media, colorScheme });
    return key;
  }

  async load(plan: Pick<RenderPlan, 'content' | 'maxWaitMs'>, isAllowed: (url: string) => Promise<boolean>): Promise<void> {
    const { content, maxWaitMs: maxWait } = plan;
    const fonts = content.googleFonts ? fontsCssHref(this.limits.fontsCssUrl, content.googleFonts) : undefined;
    const extraCss = content.blockConsentBanners ? CONSENT_BANNER_CSS : '';
    if (content.html !== undefined) {
      // The page is an about:blank (opaque origin): a fresh one, or for static documents the
      // previous static job's, replaced in place. Write the document into it: no navigation
      // or network needed.
      const doc = buildDocument(content.html, `${extraCss}${content.css ?? ''}`, { readyHelper: content.renderWhenReady, stylesheets: fonts ? [fonts] : [] });
      await this.page
        .setContent(doc, { waitUntil: 'load', timeout: maxWait })
        .catch((err) => {
          // Slow subresources: capture what is there once the wait budget is spent.
          if (!isTimeout(err)) throw err;
        });
      return;
    }
    const url = content.url!;
    if (!(await isAllowed(url))) {
      throw new RenderInputError('url points to a private or unreachable address, which this service does not load');
    }
    if (content.renderWhenReady) await this.page.addInitScript({ content: READY_HELPER });
    // The main frame's last navigation: where a redirect chain ended, when the egress proxy refused it.
    let lastNavigation = url;
    const onRequest = (req: Request) => {
      if (req.isNavigationRequest() && req.frame() === this.page.mainFrame()) lastNavigation = req.url();
    };
    this.page.on('request', onRequest);
    try {
      const response = await this.page.goto(url, { waitUntil: 'load', timeout: maxWait });
      // A public page that redirects to a private address: the proxy's refusal, not a picture of it.
      if (response?.headers()[EGRESS_REFUSED_HEADER]) throw refusedRedirect(response.url());
    } catch (err) {
      if (err instanceof RenderInputError) throw err;
      // An https redirect the proxy refused surfaces as a failed tunnel: say what was refused.
      if (lastNavigation !== url && !(await isAllowed(lastNavigation))) throw refusedRedirect(lastNavigation);
      // "page.goto: net::ERR_CONNECTION_REFUSED at <url>": the browser's reason is what the client can use.
      if (!isTimeout(err)) throw new RenderInputError(`The url could not be loaded: ${firstLine(err).replace(/^page\.goto: /, '').replace(/ at \S+$/, '')}`);
      // Out of time with no document of the url's yet (no answer): there is nothing to capture,
      // and a retry would wait just as long.
      if (this.page.url() === 'about:blank') throw new RenderInputError(`The url did not answer within ${maxWait} ms (max_wait_ms)`);
    } finally {
      this.page.off('request', onRequest);
    }
    if (fonts) await this.page.addStyleTag({ url: fonts }).catch(() => undefined);
    if (content.css || extraCss) await this.page.addStyleTag({ content: `${extraCss}${content.css ?? ''}` });
  }

  /** `scriptless`: scripting is off on the page, so only the markup can load fonts. */
  async waitUntilReady(plan: Pick<RenderPlan, 'content' | 'maxWaitMs'>, start: number, scriptless = false): Promise<void> {
    const { content } = plan;
    const left = () => Math.max(0, plan.maxWaitMs - (Date.now() - start));
    const fontsSettled = scriptless && !mayLoadWebFonts(content.html!, content.css, content.googleFonts);
    if (!fontsSettled) await this.page.evaluate(() => document.fonts.ready.then(() => undefined)).catch(() => undefined);
    if (content.renderWhenReady && left() > 0) {
      await this.page
        .waitForFunction(
          () =>
            (window as unknown as { __pixelfarmReady?: boolean }).__pixelfarmReady === true ||
            document.querySelector('#HCTIReadyNow') !== null,
          undefined,
          { timeout: left(), polling: 50 },
        )
        .catch(() => undefined);
    }
    // Extra time the client asked for on top of loading (hcti: up to 20 s), so not bounded by max_wait_ms.
    if (content.msDelay) await this.page.waitForTimeout(content.msDelay);
    // Last, on the text the page ended with (the render's own time budget bounds it).
    if (content.twemoji) await drawTwemoji(this.page);
  }

  /** The area to capture: selector, snippet auto-crop, full page, or the viewport. */
  async region(plan: Pick<RenderPlan, 'region' | 'viewport'>): Promise<Clip> {
    const { region, viewport } = plan;
    const maxHeight = this.limits.maxCaptureHeight;
    if (region.selector) {
      let box: Clip | null;
      try {
        box = await this.page.locator(region.selector).first().boundingBox({ timeout: 1000 });
      } catch (err) {
        if (isTimeout(err)) box = null;
        else throw new RenderInputError(`selector is not a valid CSS selector: ${region.selector}`);
      }
      if (!box || box.width < 1 || box.height < 1) {
        throw new RenderInputError(`No visible element matches the selector ${region.selector}`);
      }
      return clamp(box, maxHeight);
    }
    if (region.autoCrop) {
      const box = await this.page.evaluate(outermostMarginBox);
      if (box) return clamp(box, maxHeight);
    }
    if (region.fullPage) {
      // A page's script may have removed its own root element: then the viewport is the page.
      const height = await this.page.evaluate(() => document.documentElement?.scrollHeight ?? window.innerHeight);
      return { x: 0, y: 0, width: viewport.width, height: Math.min(Math.max(1, height), maxHeight) };
    }
    return { x: 0, y: 0, ...viewport };
  }

  checkPixelBudget(area: Clip, scale: number): void {
    const budget = this.limits.maxRenderPixels;
    if (area.width * area.height * scale * scale > budget) {
      throw new RenderInputError(
        `The capture (${Math.round(area.width)}x${Math.round(area.height)} at device_scale ${scale}) is over the limit of ${budget} pixels`,
      );
    }
  }

  /**
   * Captures the clip straight through CDP with optimizeForSpeed (fast, lightly compressed
   * PNG: the worker re-encodes it). Transparent backgrounds override the default white.
   */
  async capture(clip: Clip, viewport: Viewport, transparent: boolean, zoom = 1): Promise<Buffer> {
    if (transparent) {
      await this.cdp.send('Emulation.setDefaultBackgroundColorOverride', { color: { r: 0, g: 0, b: 0, a: 0 } });
    }
    try {
      const { data } = await this.cdp.send('Page.captureScreenshot', {
        format: 'png',
        // zoom < 1: a capture scaled down to fit (capture-plan.ts), rasterised at that scale.
        clip: { ...clip, scale: zoom },
        // Capturing beyond the viewport makes Chromium resize and re-lay out the page: only
        // pay for it when the clip does not fit in the viewport.
        captureBeyondViewport: clip.x + clip.width > viewport.width || clip.y + clip.height > viewport.height,
        optimizeForSpeed: true,
        fromSurface: true,
      });
      return Buffer.from(data, 'base64');
    } finally {
      if (transparent) await this.cdp.send('Emulation.setDefaultBackgroundColorOverride', {}).catch(() => undefined);
    }
  }

  /** Prints the page with the browser's PDF engine (pdf_options: page size, scale, margins). */
  async print(options: PdfOptions): Promise<Buffer> {
    const len = printLength;
    return this.page
      .pdf({
        width: len(options.page_width) ?? PDF_DEFAULT_PAGE.width,
        height: len(options.page_height) ?? PDF_DEFAULT_PAGE.height,
        scale: options.scale ?? 1,
        printBackground: options.print_background ?? true,
        margin: options.margins
          ? { top: len(options.margins[0]), right: len(options.margins[1]), bottom: len(options.margins[2]), left: len(options.margins[3]) }
          : undefined,
      })
      .catch((err: unknown) => {
        // Chromium refuses the page geometry (the schema checks it, but not for requests
        // stored before it did): printing again would fail the same way.
        const refused = /Page\.printToPDF\): (invalid print parameters.*)/.exec(String((err as Error)?.message ?? err));
        if (refused) throw new RenderInputError(`The PDF could not be printed with these pdf_options: ${refused[1]!.split('\n')[0]}`);
        throw err;
      });
  }
}

/** Runs in the page: the union of the margin boxes of body's top-level elements. */
function outermostMarginBox(): Clip | null {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  // No body (a script removed it, or the root): nothing to crop to, the viewport is captured.
  if (!document.body) return null;
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

function refusedRedirect(url: string): RenderInputError {
  const { origin } = new URL(url);
  return new RenderInputError(`The url redirected to ${origin}, a private or reserved address, which this service does not load`);
}

function isTimeout(err: unknown): boolean {
  return (err as Error)?.name === 'TimeoutError';
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}
