// Renders create requests in the worker's long-lived Chromium, as one pipeline: the caller
// interprets the request once into a plan (render-plan.ts), a page is found for it, then under one time
// budget the page is prepared (emulation, load, waits) and the plan's last step runs: a capture
// or a print. The common case (HTML without device emulation) runs on a warm pooled page, with
// scripting off when the document has no scripts (see static-document.ts); requests that need
// their own browser context (mobile or touch emulation, url captures, whose cookies and storage
// span origins, and prints) get a fresh one. A crashed or runaway page fails only its own request.
import { AppError, RenderInputError, within } from '@pixelfarm/errors';
import { NetworkGuard, type EgressRefusal, type UpstreamProxy } from '@pixelfarm/egress';
import type { CDPSession, Page } from 'playwright-core';
import { BrowserHost } from './browser-host';
import { EgressProxy } from './egress-proxy';
import { PagePool } from './page-pool';
import { PageSession } from './page-session';
import type { JumboPlan, PrintPlan, RenderPlan } from './render-plan';
import type { PrintOutput, Renderer, RendererStats, RenderOutput, RenderScope, RenderTimings, TiledRenderOutput } from './renderer';
import { planJumboCapture, planSingleCapture } from './capture-plan';
import { interceptRequests } from './request-interception';
import { UpstreamRefusedError, UpstreamRelay, UpstreamRelays } from './upstream-relay';
import type { RendererConfig } from './renderer.config';

/** The last step of a render on a prepared page: a capture or a print. */
type Finish<T> = (session: PageSession) => Promise<T>;
type Timed<T> = { value: T; timings: RenderTimings };

/** The renderer's configuration slice as it is, plus the egress allowlist and what only code can give. */
export interface ChromiumRendererOptions extends RendererConfig {
  /** Hosts, addresses and CIDRs pages may reach although they are not public (URL_ALLOWLIST). */
  urlAllowlist: readonly string[];
  /** DNS resolution used by the egress policy (tests inject one). Default: the system resolver. */
  lookup?: (host: string) => Promise<string[]>;
  onBrowserDisconnect?: () => void;
  onBrowserRecycle?: (reason: 'renders' | 'memory') => void;
  /** A page's request refused by the egress policy, with the policy's reason. */
  onEgressRefused?: (host: string, reason: EgressRefusal) => void;
  /** CA certificates that sign https upstream proxies' certificates. Default: Node's (and NODE_EXTRA_CA_CERTS). */
  proxyCa?: string | Buffer;
}

/** How long after a failure the page's crash and its browser's disconnect are waited for (see withBudget). */
const CRASH_SETTLE_MS = 250;

/** The browser died under a render: a transient fault, retried on the relaunched browser. */
export class BrowserGoneError extends Error {
  constructor() {
    super('The browser closed while rendering');
    this.name = new.target.name;
  }
}

export class ChromiumRenderer implements Renderer {
  private readonly host: BrowserHost;
  private readonly guard: NetworkGuard;
  private readonly proxy: EgressProxy;
  private readonly pool: PagePool;
  private readonly relays: UpstreamRelays;
  private started?: Promise<void>;

  constructor(private readonly options: ChromiumRendererOptions) {
    this.guard = new NetworkGuard(options.urlAllowlist, options.lookup);
    this.proxy = new EgressProxy({ guard: this.guard, onBlocked: options.onEgressRefused, connectTimeoutMs: options.egressConnectTimeoutMs });
    this.host = new BrowserHost({
      executablePath: options.executablePath,
      proxyServer: () => this.proxy.url,
      pageHeapMb: options.pageHeapMb,
      launchTimeoutMs: options.leaseTimeoutMs,
      recycleAfterRenders: options.recycleAfterRenders,
      recycleAboveMb: options.recycleAboveMb,
      onDisconnect: options.onBrowserDisconnect,
      onRecycle: (reason) => {
        void this.pool.dropStale();
        options.onBrowserRecycle?.(reason);
      },
    });
    this.pool = new PagePool({ host: this.host, size: options.poolSize });
    this.relays = new UpstreamRelays(options.proxies, this.guard, { ca: options.proxyCa, connectTimeoutMs: options.egressConnectTimeoutMs });
  }

  /** Starts the egress proxy and launches the browser ahead of the first job, so start-up fails early when it cannot. */
  start(): Promise<void> {
    this.started ??= Promise.all([this.proxy.start(), this.relays.start()]).then(() => this.host.acquire().then(() => undefined));
    return this.started;
  }

  isHealthy(): boolean {
    return this.host.isConnected();
  }

  stats(): RendererStats {
    const { inUse, size } = this.pool.stats();
    return { pagesInUse: inUse, poolSize: size };
  }

  /** Captures the plan's region to PNG: page, prepare, capture. */
  async render(plan: RenderPlan, scope: RenderScope = {}): Promise<RenderOutput> {
    const { value: png, timings } = await this.run(plan, scope, async (session) => {
      const clip = await session.region(plan);
      const capture = planSingleCapture(clip, plan.scale, this.options.maxCaptureSide);
      session.checkPixelBudget(clip, plan.scale * capture.zoom);
      return session.capture(clip, plan.viewport, plan.transparent, capture.zoom);
    });
    return { png, timings };
  }

  /** A jumbo plan: the same pipeline, then the region in tiles (capture-plan.ts), left to the caller to stitch. */
  async renderTiles(plan: JumboPlan, scope: RenderScope = {}): Promise<TiledRenderOutput> {
    const jumbo = this.options.jumbo;
    const { value, timings } = await this.run(plan, scope, async (session) => {
      const region = await session.region(plan);
      const capture = planJumboCapture(region, plan.scale, plan.jumbo, jumbo.tileSize);
      const tiles = [];
      for (const { clip, ...at } of capture.tiles) {
        tiles.push({ ...at, png: await session.capture(clip, plan.viewport, plan.transparent, capture.zoom) });
      }
      return { width: capture.width, height: capture.height, tiles };
    });
    return { ...value, timings };
  }

  /** Prints a print plan with the browser's PDF engine: the same preparation, then a print. */
  async renderPdf(plan: PrintPlan, scope: RenderScope = {}): Promise<PrintOutput> {
    const { value: pdf, timings } = await this.run(plan, scope, (session) => session.print(plan.pdf));
    return { pdf, timings };
  }

  private session(page: Page, cdp: CDPSession, plan: RenderPlan): PageSession {
    return new PageSession(page, cdp, {
      // A jumbo page may be as tall as its maxima allow; it is captured in tiles.
      maxCaptureHeight: plan.jumbo ? this.options.jumbo.maxSide : this.options.maxCaptureHeight,
      maxRenderPixels: this.options.maxRenderPixels,
      fontsCssUrl: this.options.fontsCssUrl,
    });
  }

  /**
   * The one pipeline: a page for the plan's isolation, then, under the time budget, prepare
   * (a pooled page's emulation, load, waits) and the plan's last step.
   */
  private async run<T>(plan: RenderPlan, scope: RenderScope, finish: Finish<T>): Promise<Timed<T>> {
    await this.start();
    const t0 = Date.now();
    try {
      return plan.isolation === 'context' ? await this.inContext(plan, scope, t0, finish) : await this.onPooledPage(plan, t0, finish);
    } finally {
      this.host.noteRender();
    }
  }

  private async onPooledPage<T>(plan: RenderPlan, t0: number, finish: Finish<T>): Promise<Timed<T>> {
    const pooled = await this.leased(this.pool.acquire(plan.isolation === 'static' ? 'static' : 'scripted'), (late) => this.pool.release(late, false));
    const acquired = Date.now();
    let healthy = false;
    try {
      const result = await this.withBudget(pooled.page, plan, async () => {
        const session = this.session(pooled.page, pooled.cdp, plan);
        pooled.emulation = await session.emulate(plan, pooled.emulation);
        return this.prepareAndFinish(session, plan, { t0, acquired, scriptless: pooled.use === 'static' }, finish);
      });
      healthy = true;
      return result;
    } finally {
      this.pool.release(pooled, healthy, pooled.use === 'scripted' || plan.mayScrollItself);
    }
  }

  private async inContext<T>(plan: RenderPlan, scope: RenderScope, t0: number, finish: Finish<T>): Promise<Timed<T>> {
    const { emulation } = plan;
    // An account's proxy gets a relay of its own for this render only, so an edit applies to the next.
    const accountRelay = scope.upstream ? await this.relayFor(scope.upstream) : undefined;
    const lease = await this.leased(this.host.lease(), (late) => late.release()).catch(async (err: unknown) => {
      await accountRelay?.close();
      throw err;
    });
    try {
      // Everything the plan emulates is set on the context, so captures and prints agree.
      const context = await lease.browser.newContext({
        viewport: plan.viewport,
        deviceScaleFactor: plan.scale,
        isMobile: emulation.mobile,
        hasTouch: emulation.touch,
        colorScheme: emulation.colorScheme ?? 'light',
        timezoneId: emulation.timezone,
        serviceWorkers: 'block',
        acceptDownloads: false,
        // hcti: User-Agent "configures Chrome's browser-level user agent and applies to all requests".
        userAgent: emulation.userAgent,
        proxy: accountRelay
          ? { server: accountRelay.url, bypass: '<-loopback>' }
          : emulation.proxyId
            ? { server: this.relays.urlOf(emulation.proxyId), bypass: '<-loopback>' }
            : undefined,
      });
      try {
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await interceptRequests(cdp, { headers: emulation.headers, blocker: emulation.blocker });
        if (emulation.mediaType) await page.emulateMedia({ media: emulation.mediaType });
        const acquired = Date.now();
        return await this.withBudget(page, plan, () => this.prepareAndFinish(this.session(page, cdp, plan), plan, { t0, acquired, scriptless: false }, finish));
      } finally {
        // Closing the context kills its renderer process, which also ends a runaway script.
        await context.close().catch(() => undefined);
      }
    } finally {
      lease.release();
      await accountRelay?.close();
    }
  }

  /** A started relay to an account's proxy, once its address passes the egress policy (a 400 naming the proxy if not). */
  private async relayFor(upstream: UpstreamProxy): Promise<UpstreamRelay> {
    if (upstream.guarded && (await this.guard.resolve(upstream.host)) === null) {
      throw new RenderInputError(`proxy_id ${JSON.stringify(upstream.id)}: ${new UpstreamRefusedError(upstream.host).message}`);
    }
    const relay = new UpstreamRelay({ upstream, guard: this.guard, ca: this.options.proxyCa, connectTimeoutMs: this.options.egressConnectTimeoutMs });
    await relay.start();
    return relay;
  }

  /**
   * A page or browser lease within BROWSER_LEASE_TIMEOUT_MS: a browser that is relaunching, or
   * one that stopped answering, fails the attempt (it is retried) rather than holding it. A lease
   * that arrives after that is given back at once.
   */
  private async leased<T>(leasing: Promise<T>, giveBack: (late: T) => void): Promise<T> {
    const ms = this.options.leaseTimeoutMs;
    let late = false;
    leasing.then((value) => late && giveBack(value), () => undefined);
    return within(leasing, ms, () => {
      late = true;
      return new Error(`No browser page within ${ms} ms (BROWSER_LEASE_TIMEOUT_MS)`);
    });
  }

  /** Loads and settles the page, then runs the plan's last step; each phase timed. */
  private async prepareAndFinish<T>(
    session: PageSession,
    plan: RenderPlan,
    at: { t0: number; acquired: number; scriptless: boolean },
    finish: Finish<T>,
  ): Promise<Timed<T>> {
    const t1 = Date.now();
    await session.load(plan, (url) => this.guard.isAllowed(url));
    const t2 = Date.now();
    await session.waitUntilReady(plan, t1, at.scriptless);
    const t3 = Date.now();
    const value = await finish(session);
    return { value, timings: { acquire: at.acquired - at.t0, load: t2 - t1, wait: t3 - t2, capture: Date.now() - t3 } };
  }

  /** Races the work against the time budget (a jumbo render's own) and the page crashing. */
  private async withBudget<T>(page: Page, plan: Pick<RenderPlan, 'jumbo' | 'content'>, work: () => Promise<T>): Promise<T> {
    // ms_delay is waiting the client asked for: it extends the budget rather than spending it.
    const budgetMs = (plan.jumbo ? this.options.jumbo.timeoutMs : this.options.timeoutMs) + (plan.content.msDelay ?? 0);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RenderInputError(`The render took longer than ${budgetMs} ms and was stopped`)), budgetMs);
    });
    // A browser that dies (killed, out of memory) fails the attempt at once, as a fault of ours
    // that the retry on the relaunched browser clears; a page that crashes while its browser
    // lives is the page's own doing. A killed browser's pages report their crash too, sometimes
    // before the browser's disconnect: the browser is looked at again a moment later.
    const browser = page.context().browser();
    let onGone = () => {};
    let onCrash = () => {};
    let crashed = false;
    const failed = new Promise<never>((_, reject) => {
      onGone = () => reject(new BrowserGoneError());
      onCrash = () => {
        crashed = true;
        reject(new Error('page crashed'));
      };
      page.on('crash', onCrash);
      if (browser && !browser.isConnected()) onGone();
      else browser?.on('disconnected', onGone);
    });
    const running = work();
    // Whichever loses the race must not surface as an unhandled rejection later.
    running.catch(() => undefined);
    failed.catch(() => undefined);
    try {
      return await Promise.race([running, deadline, failed]);
    } catch (err) {
      if (!(err instanceof AppError) && !(err instanceof BrowserGoneError)) {
        // Whatever failed first, the crash and disconnect events say whose fault it was: let
        // them arrive, in whatever order a dying browser sends them.
        await new Promise((resolve) => setTimeout(resolve, CRASH_SETTLE_MS));
        if (browser && !browser.isConnected()) throw new BrowserGoneError();
        if (crashed) throw new RenderInputError('The page crashed while rendering (it may use too much memory)');
        // window.close() from the page's own script: its fault, and a retry would do the same.
        if (page.isClosed()) throw new RenderInputError('The page closed itself (window.close()) before it could be captured');
      }
      throw err;
    } finally {
      clearTimeout(timer);
      // Pooled pages serve many jobs: do not pile up one listener per job.
      page.off('crash', onCrash);
      browser?.off('disconnected', onGone);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.host.close();
    await this.proxy.close();
    await this.relays.close();
  }
}
