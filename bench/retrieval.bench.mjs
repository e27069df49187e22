#!/usr/bin/env node
// Retrieval latency in one run, against the same work done in-process as the baseline:
//   cached     GET of a variant already stored (read from storage, streamed)
//   first      GET of a variant never asked for (decode, resize, encode, store, stream)
//   baseline   the same resize done directly with sharp in this process (no HTTP, no storage)
// Options: --n 200 (requests per row) --format png|jpg|webp --k 1 (concurrent requests).
// Run by hand: npm run bench:retrieval
import { createRequire } from 'node:module';
import { card } from './cards.mjs';
import { runLoad, startStack, summary } from './support.mjs';

const require = createRequire(import.meta.url);
const sharp = require('sharp');
const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 200);
const K = Number(args.k ?? 1);
const FORMAT = args.format ?? 'png';
const EXT = FORMAT === 'png' ? '' : `.${FORMAT}`;

const fmt = (name, s) => `${name.padEnd(10)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms   ${s.rps.toFixed(1).padStart(7)} req/s`;

async function get(url) {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.toString().slice(0, 200)}`);
  return body;
}

/** What the API does for a first-time resize, minus HTTP and storage: the same sharp settings. */
function resizeDirect(input, width) {
  let p = sharp(input, { limitInputPixels: 50_000_000 }).resize({ width, fit: 'inside' });
  if (FORMAT === 'jpg') p = p.flatten({ background: '#ffffff' }).jpeg({ quality: 85, mozjpeg: true });
  else if (FORMAT === 'webp') p = p.webp({ quality: 85 });
  else p = p.png({ compressionLevel: 9, adaptiveFiltering: true });
  return p.toBuffer();
}

const stack = await startStack({ workers: 1, env: { RENDER_WAIT_MS: '60000' } });
try {
  const res = await fetch(`${stack.url}/v1/image`, {
    method: 'POST',
    headers: { Authorization: stack.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ html: card(1), viewport_width: 1200, viewport_height: 630, device_scale: 1 }),
  });
  if (res.status !== 200) throw new Error(`create: ${res.status} ${await res.text()}`);
  const { url } = await res.json();
  const original = await get(url);
  // Widths 300.. are each asked for once (first-time); 600 is produced once, then read (cached).
  await get(`${url}${EXT}?width=600`);
  for (let i = 0; i < 5; i++) await resizeDirect(original, 599 - i); // warm sharp's code paths

  const cached = await runLoad(N, K, () => get(`${url}${EXT}?width=600`));
  const first = await runLoad(N, K, (i) => get(`${url}${EXT}?width=${300 + i}`));
  const direct = await runLoad(N, K, (i) => resizeDirect(original, 300 + i));

  const rows = { cached: summary(cached.latencies, cached.seconds), first: summary(first.latencies, first.seconds), baseline: summary(direct.latencies, direct.seconds) };
  console.log(`\nretrieval of a 1200x630 card as ${FORMAT}, ${N} requests per row, ${K} at a time`);
  for (const [name, s] of Object.entries(rows)) console.log(fmt(name, s));
  console.log(`\nfirst-time resize / direct sharp   p50 ${(rows.first.p50 / rows.baseline.p50).toFixed(2)}x   p95 ${(rows.first.p95 / rows.baseline.p95).toFixed(2)}x`);
  console.log(`cached GET / direct sharp          p50 ${(rows.cached.p50 / rows.baseline.p50).toFixed(2)}x   p95 ${(rows.cached.p95 / rows.baseline.p95).toFixed(2)}x`);
} finally {
  await stack.stop();
}
