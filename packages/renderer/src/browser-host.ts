// Owns the worker's long-lived Chromium: launched once, shared by every job, relaunched
// when it disconnects (crash, OOM kill). Never a browser per job.
import { chromium, type Browser } from 'playwright-core';

export interface BrowserHostOptions {
  executablePath: string;
  /**
   * Forward proxy every page request must go through (the egress proxy). Loopback is not
   * bypassed: Chromium would otherwise connect to localhost directly, past the policy.
   */
  proxyServer?: () => string;
  /** V8 heap limit of each page's renderer, in MB (memory bombs crash their page only). */
  pageHeapMb?: number;
  /** Called when the browser dies unexpectedly (metrics, logs). */
  onDisconnect?: () => void;
}

// Flags needed on this kind of machine: no sandbox as root, and no background traffic to
// Google services, which a closed network refuses noisily.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
];

export class BrowserHost {
  private browser?: Browser;
  private launching?: Promise<Browser>;
  private closed = false;

  constructor(private readonly options: BrowserHostOptions) {}

  /** The connected browser, launching (or relaunching) it when needed. */
  async acquire(): Promise<Browser> {
    if (this.closed) throw new Error('Browser host is closed');
    if (this.browser?.isConnected()) return this.browser;
    this.launching ??= this.launch().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  isConnected(): boolean {
    return !!this.browser?.isConnected();
  }

  private async launch(): Promise<Browser> {
    const browser = await chromium.launch({
      executablePath: this.options.executablePath,
      args: [
        ...CHROMIUM_ARGS,
        ...(this.options.proxyServer
          ? [`--proxy-server=${this.options.proxyServer()}`, '--proxy-bypass-list=<-loopback>']
          : []),
        ...(this.options.pageHeapMb ? [`--js-flags=--max-old-space-size=${this.options.pageHeapMb}`] : []),
      ],
      headless: true,
      // We close the browser ourselves in order; Playwright's own handlers would race it.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    browser.on('disconnected', () => {
      if (this.browser === browser) this.browser = undefined;
      if (!this.closed) this.options.onDisconnect?.();
    });
    this.browser = browser;
    return browser;
  }

  async close(): Promise<void> {
    this.closed = true;
    const browser = this.browser ?? (await this.launching?.catch(() => undefined));
    this.browser = undefined;
    // Playwright removes its temporary profile directory when the browser closes.
    await browser?.close().catch(() => undefined);
  }
}
