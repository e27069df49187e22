import { readFragment } from '@pixelfarm/env';
import { defaultBrowserRecycleMb, PAGES_PER_RENDER, rendererConfig } from './renderer.config';

describe('renderer configuration', () => {
  it('has the documented defaults, hcti\'s jumbo limits and two warm pages per render slot', () => {
    expect(readFragment(rendererConfig, {}, { renderSlots: 4 })).toEqual({
      executablePath: '/usr/bin/chromium',
      fontsCssUrl: 'https://fonts.googleapis.com/css2',
      timeoutMs: 20_000,
      leaseTimeoutMs: 20_000,
      maxCaptureHeight: 16_384,
      maxCaptureSide: 16_384,
      maxRenderPixels: 40_000_000,
      pageHeapMb: 512,
      poolSize: 4 * PAGES_PER_RENDER,
      recycleAfterRenders: 1000,
      recycleAboveMb: 2048,
      jumbo: { tileSize: 8_000, timeoutMs: 120_000, maxSide: 80_000, maxPixels: 400_000_000 },
      proxies: [],
      egressConnectTimeoutMs: 10_000,
    });
    expect(readFragment(rendererConfig, { EGRESS_CONNECT_TIMEOUT_MS: '3000' }, { renderSlots: 1 }).egressConnectTimeoutMs).toBe(3000);
    expect(() => readFragment(rendererConfig, { EGRESS_CONNECT_TIMEOUT_MS: '100' }, { renderSlots: 1 })).toThrow(/EGRESS_CONNECT_TIMEOUT_MS/);
    expect(PAGES_PER_RENDER).toBe(2);
  });

  it('recycles a large pool\'s browser above its steady memory, unless BROWSER_RECYCLE_MB says otherwise', () => {
    // Up to 16 pages: 2048. A large node's 64 pages (about 2.8 GB when warm) get 5120.
    expect(defaultBrowserRecycleMb(16)).toBe(2048);
    expect(readFragment(rendererConfig, {}, { renderSlots: 32 }).recycleAboveMb).toBe(5120);
    expect(readFragment(rendererConfig, { BROWSER_RECYCLE_MB: '3000' }, { renderSlots: 32 }).recycleAboveMb).toBe(3000);
  });

  it('reads PROXIES and names a bad entry without its secret', () => {
    const c = readFragment(rendererConfig, { PROXIES: 'corp=https://user:p%40ss@proxy.internal:8443' }, { renderSlots: 1 });
    expect(c.proxies).toEqual([{ id: 'corp', protocol: 'https', host: 'proxy.internal', port: 8443, username: 'user', password: 'p@ss' }]);
    const bad = () => readFragment(rendererConfig, { PROXIES: 'corp=socks5://u:secret@h:1080' }, { renderSlots: 1 });
    expect(bad).toThrow('PROXIES: "corp": the proxy url must be http:// or https://');
    expect(bad).not.toThrow(/secret/);
  });

  it('keeps a single capture within Chromium\'s texture limit and a tile within a capture', () => {
    expect(() => readFragment(rendererConfig, { MAX_CAPTURE_SIDE: '16385' }, { renderSlots: 1 })).toThrow(/MAX_CAPTURE_SIDE/);
    expect(() => readFragment(rendererConfig, { JUMBO_TILE_SIZE: '20000' }, { renderSlots: 1 })).toThrow(/JUMBO_TILE_SIZE/);
  });
});
