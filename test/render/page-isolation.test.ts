// A reused page must not let one job see anything of the previous one. Job A plants globals,
// window.name, DOM and a timer in its document, and cookies, local/session storage and
// IndexedDB in a third-party frame (a real http origin); job B, rendered on the same pooled
// page, paints green only if it finds none of them (red otherwise). Traffic stays on loopback.
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

// Browsers may refuse storage to third-party frames (then it throws): every attempt is guarded,
// and the frame always reports back.
const FRAME_PLANT = `<script>
  const t = (f) => { try { f(); } catch (e) {} };
  t(() => { document.cookie = 'leak=1; max-age=3600; SameSite=None; Secure'; });
  t(() => { document.cookie = 'leak=1; max-age=3600'; });
  t(() => localStorage.setItem('leak', '1'));
  t(() => sessionStorage.setItem('leak', '1'));
  let done = false;
  const finish = () => { if (!done) { done = true; parent.postMessage('planted', '*'); } };
  t(() => {
    const open = indexedDB.open('leakdb', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('s');
    open.onsuccess = finish;
    open.onerror = finish;
  });
  setTimeout(finish, 300);
</script>`;

const FRAME_CHECK = `<script>
  (async () => {
    const found = [];
    const t = async (name, f) => { try { if (await f()) found.push(name); } catch (e) {} };
    await t('cookie', () => document.cookie.includes('leak'));
    await t('localStorage', () => localStorage.getItem('leak'));
    await t('sessionStorage', () => sessionStorage.getItem('leak'));
    await t('indexedDB', async () => (await indexedDB.databases()).some((d) => d.name === 'leakdb'));
    parent.postMessage(found, '*');
  })();
</script>`;

const plant = (origin: string) => `
<div style="width:10px;height:10px;background:#00f"></div>
<iframe src="${origin}/frame-plant" style="display:none"></iframe>
<script>
  window.leakGlobal = 1;
  Array.prototype.leakProto = 1;
  window.name = 'leak';
  try { navigator.serviceWorker.register('/sw.js').catch(() => {}); } catch (e) {}
  try { localStorage.setItem('leak', '1'); } catch (e) {}
  try { document.cookie = 'leak=1'; } catch (e) {}
  // Late enough that a slow frame load under CPU load still finishes first.
  setTimeout(() => { document.body.innerHTML = '<div style="width:10px;height:10px;background:#f00"></div>'; }, 2000);
  window.addEventListener('message', (e) => { if (e.data === 'planted') window.ScreenshotReady(); });
</script>`;

const check = (origin: string) => `
<div id="out" style="width:10px;height:10px;background:#888"></div>
<iframe src="${origin}/frame-check" style="display:none"></iframe>
<script>
  const found = [];
  if (window.leakGlobal) found.push('global');
  if ([].leakProto) found.push('prototype');
  if (window.name === 'leak') found.push('window.name');
  try { if (localStorage.getItem('leak')) found.push('top localStorage'); } catch (e) {}
  try { if (document.cookie.includes('leak')) found.push('top cookie'); } catch (e) {}
  window.addEventListener('message', (e) => {
    found.push(...e.data);
    document.getElementById('out').style.background = found.length ? '#f00' : '#0f0';
    setTimeout(() => window.ScreenshotReady(), 2200); // outlive job A's timer, were it alive
  });
</script>`;

describe('pooled page isolation', () => {
  let renderer: ChromiumRenderer;
  let server: LoopbackServer;
  let origin: string;

  beforeAll(async () => {
    server = await serveOnLoopback((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(req.url === '/frame-plant' ? FRAME_PLANT : FRAME_CHECK);
    });
    origin = server.origin;
    renderer = new ChromiumRenderer({
      ...configuredRenderer(),
      urlAllowlist: ['127.0.0.1'],
      timeoutMs: 15_000,
      maxCaptureHeight: 2000,
      poolSize: 1,
    });
    await renderer.start();
  });
  afterAll(async () => {
    await renderer?.close();
    await server?.close();
  });

  const render = (html: string) => renderer.render(planCapture({ html, device_scale: 1, render_when_ready: true, max_wait_ms: 8000 }));

  it('shows the next job nothing of the previous one on the same page', async () => {
    for (let round = 0; round < 2; round++) {
      const planted = await decodeImage((await render(plant(origin))).png);
      expect(planted.pixel(5, 5)).toEqual([0, 0, 255, 255]);
      const checked = await decodeImage((await render(check(origin))).png);
      expect([checked.width, checked.height]).toEqual([10, 10]);
      expect(checked.pixel(5, 5)).toEqual([0, 255, 0, 255]);
    }
  });

  it('the check sees what it looks for when it is there (control)', async () => {
    // Plant and check in one job: the check must find what was planted and paint red.
    const both = await decodeImage((await render(`<script>window.leakGlobal = 1; window.name = 'leak';</script>${check(origin)}`)).png);
    expect(both.pixel(5, 5)).toEqual([255, 0, 0, 255]);
  });
});
