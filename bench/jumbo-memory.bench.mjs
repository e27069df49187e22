// Peak memory of a jumbo render: a 20,000 x 20,000 output at device_scale 1, captured
// by the worker's renderer in 8,000 px tiles and stitched by the worker's ImageProcessor. The
// stitch runs in a process of its own that loads only the tiles' PNGs, so its peak RSS is the
// stitch's alone; the raw canvas (4 bytes a pixel) would be 1.6 GB.
//   npm run build && node bench/jumbo-memory.bench.mjs [side=20000]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mb = (bytes) => Math.round(bytes / 1024 / 1024);

if (process.argv[2] === '--stitch') {
  // Child: stitch the tiles listed in the manifest, report peak RSS.
  const { ImageProcessor } = require(path.join(ROOT, 'packages/imaging/dist'));
  const dir = process.argv[3];
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const tiles = manifest.tiles.map((t, i) => ({ ...t, png: fs.readFileSync(path.join(dir, `tile-${i}.png`)) }));
  const before = process.resourceUsage().maxRSS * 1024;
  const started = Date.now();
  const out = await new ImageProcessor({ maxInputPixels: 50_000_000, threadsPerImage: 1 }).stitchPng(tiles, manifest.width, manifest.height);
  process.stdout.write(
    JSON.stringify({
      width: out.width,
      height: out.height,
      pngMB: mb(out.data.length),
      tilesMB: mb(tiles.reduce((n, t) => n + t.png.length, 0)),
      rssBeforeStitchMB: mb(before),
      peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
      stitchS: (Date.now() - started) / 1000,
    }),
  );
  process.exit(0);
}

const side = Number(process.argv[2] ?? 20_000);
const { ChromiumRenderer, planRender, rendererConfig } = require(path.join(ROOT, 'packages/renderer/dist'));
const { readFragment } = require(path.join(ROOT, 'packages/env/dist'));
const renderer = new ChromiumRenderer({
  ...readFragment(rendererConfig, { CHROMIUM_PATH: process.env.CHROMIUM_PATH, JUMBO_TILE_SIZE: '8000', JUMBO_RENDER_TIMEOUT_MS: '900000' }, { renderSlots: 1 }),
  urlAllowlist: [],
});
await renderer.start();
const started = Date.now();
const out = await renderer.renderTiles(
  planRender(
    {
      html: `<div style="width:${side}px;height:${side}px;background:linear-gradient(45deg,#4f46e5,#ec4899)"></div>`,
      device_scale: 1,
      jumbo_max_width: side,
      jumbo_max_height: side,
    },
    'capture',
  ),
);
const renderS = (Date.now() - started) / 1000;
await renderer.close();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jumbo-bench-'));
out.tiles.forEach((t, i) => fs.writeFileSync(path.join(dir, `tile-${i}.png`), t.png));
fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ width: out.width, height: out.height, tiles: out.tiles.map(({ png, ...t }) => t) }));
const rendererPeakMB = mb(process.resourceUsage().maxRSS * 1024);
const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--stitch', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
let text = '';
child.stdout.on('data', (c) => (text += c));
await new Promise((resolve) => child.on('close', resolve));
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ side, tiles: out.tiles.length, renderS, rendererProcessPeakRssMB: rendererPeakMB, stitch: JSON.parse(text) }, null, 2));
