// A reused page must not let one job see anything of the previous one. Job A plants cookies,
// storage, IndexedDB, a service worker, globals, DOM and a timer; job B, rendered on the same
// pooled page, paints green only if it finds none of them (red otherwise).
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';

const PLANT = `
<div style="width:10px;height:10px;background:#00f"></div>
<script>
  document.cookie = 'leak=1; max-age=3600';
  localStorage.setItem('leak', '1');
  sessionStorage.setItem('leak', '1');
  window.leakGlobal = 1;
  window.name = 'leak';
  const open = indexedDB.open('leakdb', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('s');
  if (navigator.serviceWorker) navigator.serviceWorker.register('/sw.js').catch(() => {});
  setTimeout(() => { document.body.innerHTML = '<div style="width:10px;height:10px;background:#f00"></div>'; }, 800);
  setInterval(() => { try { localStorage.setItem('leak', '2'); } catch (e) {} }, 50);
</script>`;

const CHECK = `
<div id="out" style="width:10px;height:10px;background:#888"></div>
<script>
  (async () => {
    const found = [];
    if (document.cookie.includes('leak')) found.push('cookie');
    if (localStorage.getItem('leak')) found.push('localStorage');
    if (sessionStorage.getItem('leak')) found.push('sessionStorage');
    if (window.leakGlobal) found.push('global');
    if (window.name === 'leak') found.push('window.name');
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    if (dbs.some((d) => d.name === 'leakdb')) found.push('indexedDB');
    if (navigator.serviceWorker && (await navigator.serviceWorker.getRegistrations()).length) found.push('serviceWorker');
    document.getElementById('out').style.background = found.length ? '#f00' : '#0f0';
    document.title = found.join(',');
    window.ScreenshotReady();
  })();
</script>`;

describe('pooled page isolation', () => {
  let renderer: ChromiumRenderer;

  beforeAll(async () => {
    renderer = new ChromiumRenderer({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      urlAllowlist: [],
      timeoutMs: 10_000,
      maxCaptureHeight: 2000,
      poolSize: 1,
    });
    await renderer.start();
  });
  afterAll(() => renderer?.close());

  it('shows the next job nothing of the previous one on the same page', async () => {
    for (let round = 0; round < 3; round++) {
      const planted = await renderer.render({ html: PLANT, device_scale: 1 });
      expect((await decodeImage(planted.png)).pixel(5, 5)).toEqual([0, 0, 255, 255]);
      expect(renderer.stats()).toEqual({ pagesInUse: 0, poolSize: 1 });

      // ms_delay outlives job A's timer: if it survived, it would repaint this job red.
      const checked = await renderer.render({ html: CHECK, device_scale: 1, render_when_ready: true, ms_delay: 1200 });
      const img = await decodeImage(checked.png);
      expect([img.width, img.height]).toEqual([10, 10]);
      expect(img.pixel(5, 5)).toEqual([0, 255, 0, 255]);
    }
  });

  it('the check itself sees what it looks for when it is there (control)', async () => {
    const both = await renderer.render({ html: PLANT.replace(/setTimeout[^\n]*\n/, '') + CHECK.replace('id="out"', 'id="out"'), device_scale: 1, render_when_ready: true, ms_delay: 200 });
    // The planted square comes first and the check square second: the check must be red.
    const img = await decodeImage(both.png);
    expect(img.height).toBe(20);
    expect(img.pixel(5, 15)).toEqual([255, 0, 0, 255]);
  });
});
