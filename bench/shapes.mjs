// The shapes of work users send, for the matrix bench: each has a create body and the page the
// floor loads for it (same html, viewport and scale), so both sides render the same pixels.
import fs from 'node:fs';
import http from 'node:http';
import { card } from './cards.mjs';

/** A 600x315 CSS px card at device_scale 2 (1200x630 px out): little to paint, the fixed cost dominates. */
function smallCard(i) {
  const hue = (i * 47) % 360;
  return `<div style="width:600px;height:315px;box-sizing:border-box;padding:36px;display:flex;flex-direction:column;justify-content:space-between;background:linear-gradient(135deg,hsl(${hue},70%,45%),hsl(${(hue + 60) % 360},70%,30%));color:#fff;font-family:'Liberation Sans',sans-serif">
  <div style="font-size:14px;opacity:.8;letter-spacing:1px">PIXELFARM BLOG · #${i}</div>
  <div style="font-size:32px;font-weight:700;line-height:1.1">Small card number ${i}, rendered twice as dense</div>
  <div style="font-size:15px">Ada Lovelace · ${1 + (i % 28)} Nov 2026</div></div>`;
}

/** A text-heavy page set in a web font loaded from a stylesheet (the google_fonts path). */
function textPage(i, fontsBase) {
  const para = `Paragraph of card ${i}: the quick brown fox jumps over the lazy dog, again and again, so that the page wraps many lines of text. `;
  return `<link rel="stylesheet" href="${fontsBase}/css2?family=Bench+Mono"><div style="width:800px;height:600px;box-sizing:border-box;padding:24px;font:16px/1.4 'Bench Mono',serif;background:#fff;color:#222">${Array.from({ length: 12 }, () => `<p>${para.repeat(2)}</p>`).join('')}</div>`;
}

/** A photo-like card: an SVG noise texture under a headline (screenshots of photo-heavy pages). */
function photoCard(i) {
  return `<svg width="600" height="315" style="display:block"><filter id="n"><feTurbulence type="fractalNoise" baseFrequency="${0.6 + (i % 5) * 0.1}" numOctaves="3" seed="${i}"/></filter><rect width="600" height="315" filter="url(#n)"/><text x="36" y="170" font-size="44" font-weight="700" fill="#fff" font-family="Liberation Sans">Photo card ${i}</text></svg>`;
}

export const SHAPES = {
  small: { viewport: { width: 600, height: 315 }, scale: 2, html: (i) => smallCard(i) },
  large: { viewport: { width: 1200, height: 630 }, scale: 2, html: (i) => card(i) },
  text: { viewport: { width: 800, height: 600 }, scale: 2, html: (i, env) => textPage(i, env.fontsBase) },
  photo: { viewport: { width: 600, height: 315 }, scale: 2, html: (i) => photoCard(i) },
};

export function createBody(shape, i, env) {
  const s = SHAPES[shape];
  return { html: s.html(i, env), viewport_width: s.viewport.width, viewport_height: s.viewport.height, device_scale: s.scale };
}

/** A loopback fonts server (the Google Fonts CSS2 shape) with a real TTF, for the text shape. */
export async function startFontsServer() {
  const font = fs.readFileSync('/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf');
  let base = '';
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/css2')) {
      res.writeHead(200, { 'Content-Type': 'text/css', 'Cache-Control': 'max-age=3600', 'Access-Control-Allow-Origin': '*' });
      res.end(`@font-face{font-family:'Bench Mono';src:url(${base}/font.ttf) format('truetype')}`);
    } else if (req.url === '/font.ttf') {
      res.writeHead(200, { 'Content-Type': 'font/ttf', 'Cache-Control': 'max-age=3600', 'Access-Control-Allow-Origin': '*' }).end(font);
    } else res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  return { base, close: () => new Promise((r) => server.close(r)) };
}
