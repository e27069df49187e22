// Browser recycling: after a configured number of renders the browser is replaced, the old
// one drained first (no render fails), and no browser process is left behind.
import { execFileSync } from 'node:child_process';
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

/** Browser main processes (direct children of this process running chromium). */
function browserProcesses(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'chromium']).toString().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('browser recycling', () => {
  it('replaces the browser every N renders without failing renders in flight', async () => {
    const recycles: string[] = [];
    let crashes = 0;
    const renderer = new ChromiumRenderer({
      ...configuredRenderer(),
      urlAllowlist: [],
      timeoutMs: 10_000,
      maxCaptureHeight: 2000,
      poolSize: 2,
      recycleAfterRenders: 4,
      onBrowserRecycle: (reason) => recycles.push(reason),
      onBrowserDisconnect: () => crashes++,
    });
    try {
      await renderer.start();
      const first = browserProcesses();
      expect(first).toHaveLength(1);
      // Two at a time, as a worker with concurrency 2 would.
      for (let i = 0; i < 12; i += 2) {
        const outs = await Promise.all(
          [i, i + 1].map((n) => renderer.render(planCapture({ html: `<div style="width:${10 + n}px;height:8px;background:#0a0"></div>`, device_scale: 1 }))),
        );
        for (const [k, out] of outs.entries()) {
          const img = await decodeImage(out.png);
          expect([img.width, img.height]).toEqual([10 + i + k, 8]);
          expect(img.pixel(4, 4)).toEqual([0, 170, 0, 255]);
        }
      }
      expect(recycles).toEqual(['renders', 'renders', 'renders']);
      // Planned replacements are not reported as browser crashes.
      expect(crashes).toBe(0);
      // The third recycle left no browser running: the retired one drained and closed.
      await new Promise((r) => setTimeout(r, 1000));
      expect(browserProcesses()).toEqual([]);
      await renderer.render(planCapture({ html: '<p>x</p>', device_scale: 1 }));
      const now = browserProcesses();
      expect(now).toHaveLength(1);
      expect(now).not.toEqual(first);
    } finally {
      await renderer.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(browserProcesses()).toEqual([]);
  });
});
