// A create request interpreted once into what the renderer does with it: the page it needs
// (a warm pooled page, scripting on or off, or a browser context of its own), the viewport and
// scale, what the page shows and how it is emulated, the region captured, and how it ends (a
// capture, a capture in tiles, or a print). Every later step (renderer, page session, the
// worker's job) reads the plan, never the request's options again: a rule about the request
// (the device scale, what makes a render jumbo) is decided here and nowhere else.
import type { CreateImageRequest } from '@pixelfarm/schemas';
import { isSnippet } from './page-document';
import { headerPlanOf, userAgentOf, type HeaderPlan } from './request-headers';
import { isStaticRequest, mayScrollItself } from './static-document';
import { RequestBlocker } from './request-blocking';
import { mayHaveEmoji } from './twemoji';
import type { JumboMaxima } from './capture-plan';

export const DEFAULT_VIEWPORT = { width: 1920, height: 1080 };
export const DEFAULT_MAX_WAIT_MS = 10_000;

export type RenderOutputKind = 'capture' | 'print';

/**
 * Where a render runs: a pooled page with scripting off (static html), a pooled page with
 * scripting on, or a fresh context (mobile or touch emulation, url captures whose cookies and
 * storage span origins, prints, and renders through an upstream proxy).
 */
export type Isolation = 'static' | 'scripted' | 'context';

export interface Viewport {
  width: number;
  height: number;
}

/** What the page shows and what it waits for. */
export interface PageContent {
  /** The document of an html render; absent for a url render. */
  html?: string;
  /** The address of a url render; absent for an html render. */
  url?: string;
  css?: string;
  /** google_fonts: families whose stylesheet the page loads. */
  googleFonts?: string;
  blockConsentBanners: boolean;
  renderWhenReady: boolean;
  /** ms_delay, after the page is ready. */
  msDelay?: number;
  /** Emoji are drawn as Twemoji images once the page is ready (twemoji.ts). */
  twemoji: boolean;
}

/** How the browser presents itself to the page. */
export interface PageEmulation {
  mobile: boolean;
  touch: boolean;
  colorScheme?: 'light' | 'dark';
  mediaType?: 'screen' | 'print';
  timezone?: string;
  /** The browser-wide User-Agent `headers` set, if any. */
  userAgent?: string;
  /** Headers added to the url's requests, or null when none are. */
  headers: HeaderPlan | null;
  /** The requests request_overrides block; null when it names none (no request is paused). */
  blocker: RequestBlocker | null;
  /** proxy_id: the upstream proxy that carries the render's traffic. */
  proxyId?: string;
}

/** The area of the page captured. */
export interface CaptureRegion {
  /** The first visible element it matches. */
  selector?: string;
  /** An html snippet without a viewport: cropped to its top-level elements. */
  autoCrop: boolean;
  /** full_screen: the whole page height. */
  fullPage: boolean;
}

export type PdfOptions = NonNullable<CreateImageRequest['pdf_options']>;

export interface RenderPlan {
  output: RenderOutputKind;
  isolation: Isolation;
  viewport: Viewport;
  scale: number;
  /** How long the page may take to load and settle (max_wait_ms). */
  maxWaitMs: number;
  content: PageContent;
  emulation: PageEmulation;
  region: CaptureRegion;
  transparent: boolean;
  /** A jumbo render's output maxima: captured in tiles and stitched. Absent for any other. */
  jumbo?: JumboMaxima;
  /** How a print lays out its pages. */
  pdf: PdfOptions;
  /** A static document that may move its own scroll offset: its pooled page is navigated afresh after it. */
  mayScrollItself: boolean;
}

/** A plan that ends in a print. */
export type PrintPlan = RenderPlan & { output: 'print' };
/** A capture plan of a jumbo render. */
export type JumboPlan = RenderPlan & { output: 'capture'; jumbo: JumboMaxima };

export function isJumboPlan(plan: RenderPlan): plan is JumboPlan {
  return plan.output === 'capture' && plan.jumbo !== undefined;
}

export function planRender<K extends RenderOutputKind>(request: CreateImageRequest, output: K): RenderPlan & { output: K } {
  return {
    output,
    isolation: isolationOf(request, output),
    viewport: viewportOf(request),
    scale: deviceScaleOf(request),
    maxWaitMs: request.max_wait_ms ?? DEFAULT_MAX_WAIT_MS,
    content: {
      html: request.html,
      url: request.url,
      css: request.css,
      googleFonts: request.google_fonts,
      blockConsentBanners: request.block_consent_banners === true,
      renderWhenReady: request.render_when_ready === true,
      msDelay: request.ms_delay,
      twemoji: drawsTwemoji(request),
    },
    emulation: {
      mobile: request.viewport_mobile === true,
      touch: request.viewport_touch === true,
      colorScheme: request.color_scheme,
      mediaType: request.media_type,
      timezone: request.timezone,
      userAgent: userAgentOf(request),
      headers: headerPlanOf(request),
      blocker: request.request_overrides?.length ? new RequestBlocker(request.request_overrides) : null,
      proxyId: request.proxy_id,
    },
    region: {
      selector: request.selector,
      autoCrop: request.html !== undefined && request.viewport_width === undefined && isSnippet(request.html),
      fullPage: request.full_screen === true,
    },
    transparent: request.transparent_background === true,
    jumbo: jumboOf(request),
    pdf: request.pdf_options ?? {},
    mayScrollItself: request.html !== undefined && mayScrollItself(request.html, request.css),
  };
}

/** Viewport of a request: explicit, or the default; landscape puts the long side across. */
function viewportOf(request: CreateImageRequest): Viewport {
  const v = request.viewport_width ? { width: request.viewport_width, height: request.viewport_height! } : DEFAULT_VIEWPORT;
  return request.viewport_landscape && v.height > v.width ? { width: v.height, height: v.width } : v;
}

/** device_scale, or the default: 2 for html, 1 for a url. */
function deviceScaleOf(request: CreateImageRequest): number {
  return request.device_scale ?? (request.url ? 1 : 2);
}

/**
 * hcti's rule (parameters/disable_twemoji): html and templates get Twemoji unless
 * disable_twemoji is true; a url capture only when it is false, explicitly. An html document
 * whose markup and CSS hold no emoji has nothing to draw, and skips the pass.
 */
function drawsTwemoji(request: CreateImageRequest): boolean {
  if (request.html === undefined) return request.disable_twemoji === false;
  return request.disable_twemoji !== true && mayHaveEmoji(`${request.html}${request.css ?? ''}`);
}

/** A jumbo render names both maxima (the schema refuses one without the other). */
function jumboOf(request: CreateImageRequest): JumboMaxima | undefined {
  const { jumbo_max_width: width, jumbo_max_height: height } = request;
  return width !== undefined && height !== undefined ? { width, height } : undefined;
}

function isolationOf(request: CreateImageRequest, output: RenderOutputKind): Isolation {
  // proxy_id: the context's own proxy carries its traffic (upstream-relay.ts). request_overrides:
  // its requests are paused to be judged, which warm pages (shared by every render) never do.
  if (output === 'print' || request.html === undefined || request.viewport_mobile || request.viewport_touch || request.proxy_id || request.request_overrides?.length) {
    return 'context';
  }
  return isStaticRequest(request) ? 'static' : 'scripted';
}
