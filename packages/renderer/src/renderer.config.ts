// The renderer's configuration: which Chromium, the time and size budgets of a capture, jumbo
// tiling, the warm page pool and when the browser is replaced, the upstream proxies renders may
// name, and where web fonts come from.
import { z } from 'zod';
import { defineFragment, httpUrl, int, optionalInt } from '@pixelfarm/env';
import type { UpstreamProxy } from '@pixelfarm/egress';
import { parseUpstreamProxies } from './upstream-proxies';

/** Warm pages per render slot: a page can be wiped after its job while the next job renders. */
export const PAGES_PER_RENDER = 2;

/**
 * Default BROWSER_RECYCLE_MB for a pool of `pages` warm pages: 2048, or a fixed 1024 plus 64 per
 * page for larger pools. A warm page measured about 36 MB (proportional set size, 1200x630 cards)
 * over a browser's 400-500 MB, so a fixed threshold would sit below the steady state of a large
 * node's pool (64 pages: about 2.8 GB) and recycle the browser every few dozen renders, which
 * collapsed throughput. This keeps the threshold about 1.8 times above that steady state.
 */
export function defaultBrowserRecycleMb(pages: number): number {
  return Math.max(2048, 1024 + 64 * pages);
}

export interface RendererConfig {
  executablePath: string;
  /** Where google_fonts stylesheets are fetched from. */
  fontsCssUrl: string;
  /** Hard budget for one render, all phases included. */
  timeoutMs: number;
  /** Longest wait for a page or the browser (a relaunch included) before the attempt fails. */
  leaseTimeoutMs: number;
  /** Tallest capture in CSS pixels (full page and auto-crop). */
  maxCaptureHeight: number;
  /** Widest or tallest plain capture in device pixels; larger ones are scaled down to fit. */
  maxCaptureSide: number;
  /** Pixel budget of one capture (width × height × device_scale²); larger captures are refused. */
  maxRenderPixels: number;
  /** V8 heap limit of each page in MB. */
  pageHeapMb: number;
  /** Warm pages kept: PAGES_PER_RENDER per render slot. */
  poolSize: number;
  /** Renders after which the browser is replaced (drained first). */
  recycleAfterRenders: number;
  /** Browser memory (MB) above which it is replaced. */
  recycleAboveMb: number;
  /** Jumbo renders: tile side in device pixels, their own time budget, and the request's largest side and area. */
  jumbo: { tileSize: number; timeoutMs: number; maxSide: number; maxPixels: number };
  /** Upstream proxies renders may name in proxy_id (PROXIES). */
  proxies: readonly UpstreamProxy[];
  /** Longest a page's connection to a site, or to an upstream proxy (its CONNECT included), may take to open; and a plain-http one may idle. */
  egressConnectTimeoutMs: number;
}

/** The render slots of the worker the browser serves: its page pool is sized from them. */
export interface RendererContext {
  renderSlots: number;
}

export const rendererConfig = defineFragment({
  env: {
    CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
    FONTS_CSS_URL: httpUrl.default('https://fonts.googleapis.com/css2'),
    /** Hard budget for one render inside the worker (page load, waits, capture). Default 20 s. */
    RENDER_TIMEOUT_MS: int(20_000, 1_000, 300_000),
    /** Tallest capture (full page or auto-crop), in CSS pixels. Default 16384. */
    MAX_CAPTURE_HEIGHT: int(16_384, 100, 100_000),
    /**
     * Widest or tallest single capture in device pixels (CSS px × device_scale). A larger capture
     * without the jumbo fields is taken at a lower device_scale so that its longer side fits, as
     * hcti does, instead of Chromium repeating tiles past its texture limit. Default 16,384.
     */
    MAX_CAPTURE_SIDE: int(16_384, 1_000, 16_384),
    /** Pixel budget of one capture: viewport (or crop) width × height × device_scale². Default 40 megapixels. */
    MAX_RENDER_PIXELS: int(40_000_000, 10_000, 268_000_000),
    /** JavaScript heap of one page in MB: a memory bomb crashes its page, not the machine. Default 512. */
    PAGE_HEAP_MB: int(512, 64, 16_384),
    /** Renders after which a worker replaces its browser (draining it first). Default 1000. */
    BROWSER_RECYCLE_RENDERS: int(1000, 1, 10_000_000),
    /**
     * Longest a render waits for a browser page (a relaunch after a crash included), and a browser
     * launch may take, before the attempt fails and is retried. Default 20 s.
     */
    BROWSER_LEASE_TIMEOUT_MS: int(20_000, 1_000, 300_000),
    /**
     * Memory (MB) of a worker's browser processes above which it is replaced. Default 2048, more for
     * a pool above 16 warm pages (defaultBrowserRecycleMb).
     */
    BROWSER_RECYCLE_MB: optionalInt(128, 1_000_000),
    /** Largest jumbo_max_width / jumbo_max_height. Default 80,000 (hcti's limit). */
    JUMBO_MAX_SIDE: int(80_000, 8_001, 80_000),
    /** Largest jumbo_max_width × jumbo_max_height. Default 400,000,000 (hcti's limit). */
    JUMBO_MAX_PIXELS: int(400_000_000, 64_000_000, 400_000_000),
    /** Side of the square tiles a jumbo render is captured in, in device pixels. Default 8,000 (hcti's). */
    JUMBO_TILE_SIZE: int(8_000, 1_000, 16_384),
    /** Hard budget of one jumbo render (load, tiles, stitch) inside the worker. Default 120 s. */
    JUMBO_RENDER_TIMEOUT_MS: int(120_000, 1_000, 900_000),
    /**
     * Named upstream proxies for proxy_id: id=url pairs, comma-separated, credentials in the url
     * (https://user:pass@proxy.example:8443). Default: none (proxy_id is refused).
     */
    PROXIES: z.string().default(''),
    /**
     * Longest the egress proxy waits for a connection a page asked for to open (to the site, or to
     * an upstream proxy with its CONNECT answered), and a plain-http request's connection may sit
     * idle: a site that never answers fails its request rather than holding the render until its
     * budget runs out. Default 10 s.
     */
    EGRESS_CONNECT_TIMEOUT_MS: int(10_000, 500, 120_000),
  },
  build(e, context: RendererContext, problems): RendererConfig {
    const upstream = parseUpstreamProxies(e.PROXIES);
    problems.push(...upstream.problems.map((p) => `PROXIES: ${p}`));
    const poolSize = context.renderSlots * PAGES_PER_RENDER;
    return {
      executablePath: e.CHROMIUM_PATH,
      fontsCssUrl: e.FONTS_CSS_URL,
      timeoutMs: e.RENDER_TIMEOUT_MS,
      leaseTimeoutMs: e.BROWSER_LEASE_TIMEOUT_MS,
      maxCaptureHeight: e.MAX_CAPTURE_HEIGHT,
      maxCaptureSide: e.MAX_CAPTURE_SIDE,
      maxRenderPixels: e.MAX_RENDER_PIXELS,
      pageHeapMb: e.PAGE_HEAP_MB,
      poolSize,
      recycleAfterRenders: e.BROWSER_RECYCLE_RENDERS,
      recycleAboveMb: e.BROWSER_RECYCLE_MB ?? defaultBrowserRecycleMb(poolSize),
      jumbo: { tileSize: e.JUMBO_TILE_SIZE, timeoutMs: e.JUMBO_RENDER_TIMEOUT_MS, maxSide: e.JUMBO_MAX_SIDE, maxPixels: e.JUMBO_MAX_PIXELS },
      proxies: upstream.proxies,
      egressConnectTimeoutMs: e.EGRESS_CONNECT_TIMEOUT_MS,
    };
  },
});
