#!/usr/bin/env node
// The lossless PNG re-encode's candidates side by side, on captures of every bench shape taken
// as the worker takes them (CDP, optimizeForSpeed, at the shape's device scale). For each
// candidate: CPU per image (one libvips thread, as the worker runs it), bytes against the
// stored encode (zlib 6, no filter), and that CPU as a share of one render's CPU, measured in the
// same run: the browser's and this process's CPU over a loop of set content + capture at K=2.
// "from raw" rows time the encode alone, as if the browser handed over raw pixels: the decode
// of its fast PNG is then saved. @napi-rs/image (the Rust png crate) is measured when installed.
// Run by hand: npm run bench:png -- [--n 6] [--shapes small,large,text,photo]
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { SHAPES, startFontsServer } from './shapes.mjs';
import { runLoad } from './support.mjs';

const require = createRequire(import.meta.url);
const sharp = require('sharp');
const { CHROMIUM_ARGS } = require('../packages/renderer/dist');
const { ImageProcessor } = require('../packages/imaging/dist');
const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 6);
const SHAPE_NAMES = (args.shapes ?? 'small,large,text,photo').split(',');
const CAPTURES = 3;
sharp.cache(false);
sharp.concurrency(1);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU milliseconds of a process and its descendants, from /proc. */
function treeCpuMs(pid) {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const children = new Map();
  const stats = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      stats.set(Number(entry), (Number(fields[11]) + Number(fields[12])) * tick);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while the table was read
    }
  }
  let total = 0;
  const walk = (p) => {
    total += stats.get(p) ?? 0;
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return total;
}

let serial = 1;
const fonts = await startFontsServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });

/** K=2 warm pages capturing the shape: its captures, and the CPU of one render. */
async function captureShape(name) {
  const s = SHAPES[name];
  const pages = await Promise.all(
    [0, 1].map(async () => {
      const context = await browser.newContext({ viewport: s.viewport, deviceScaleFactor: s.scale });
      const page = await context.newPage();
      return { context, page, cdp: await context.newCDPSession(page) };
    }),
  );
  const free = [...pages];
  const captures = [];
  const shot = async () => {
    const p = free.pop();
    await p.page.setContent(s.html(serial++, { fontsBase: fonts.base }), { waitUntil: 'load' });
    await p.page.evaluate(() => document.fonts.ready.then(() => undefined));
    const { data } = await p.cdp.send('Page.captureScreenshot', { format: 'png', clip: { x: 0, y: 0, ...s.viewport, scale: s.scale }, optimizeForSpeed: true, fromSurface: true });
    if (captures.length < CAPTURES) captures.push(Buffer.from(data, 'base64'));
    free.push(p);
  };
  await runLoad(4, 2, shot);
  const renders = 30;
  // Chromium runs as this process's child: the tree counts the browser and its driver.
  const before = treeCpuMs(process.pid);
  await runLoad(renders, 2, shot);
  const renderCpuMs = (treeCpuMs(process.pid) - before) / renders;
  await Promise.all(pages.map((p) => p.context.close()));
  return { captures, renderCpuMs };
}

let napi;
try {
  napi = require('@napi-rs/image');
} catch {
  napi = undefined;
}

const skipDense = new ImageProcessor({ maxInputPixels: 1e8, threadsPerImage: 1, pngSkipDensity: 0.5 });
const png = (options) => (input) => sharp(input).png(options).toBuffer();
const fromRaw = (options) => async (_input, raw) => sharp(raw.data, { raw: raw.info }).png(options).toBuffer();
const CANDIDATES = [
  ...[1, 3, 4, 6, 7, 9].map((level) => [`libvips zlib ${level}, no filter`, png({ compressionLevel: level, adaptiveFiltering: false })]),
  ...[6, 9].map((level) => [`libvips zlib ${level}, adaptive filters`, png({ compressionLevel: level, adaptiveFiltering: true })]),
  ...[4, 6, 7].map((level) => [`libvips zlib ${level}, from raw pixels`, fromRaw({ compressionLevel: level, adaptiveFiltering: false })]),
  ['stored encode (zlib 6, keeps captures denser than 0.5)', async (input) => (await skipDense.encodePng(input)).data],
  ...(napi
    ? [
        ['@napi-rs/image png, default', (input) => new napi.Transformer(input).png({ compressionType: 0, filterType: 0 })],
        ['@napi-rs/image png, fast', (input) => new napi.Transformer(input).png({ compressionType: 1, filterType: 5 })],
      ]
    : []),
];

const rows = [];
for (const name of SHAPE_NAMES) {
  const { captures, renderCpuMs } = await captureShape(name);
  const raws = await Promise.all(captures.map((c) => sharp(c).raw().toBuffer({ resolveWithObject: true })));
  const fastBytes = captures.reduce((a, c) => a + c.length, 0) / captures.length;
  for (const [label, encode] of CANDIDATES) {
    await encode(captures[0], raws[0]);
    let bytes = 0;
    const started = cpuMs();
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < captures.length; i++) {
        const out = await encode(captures[i], raws[i]);
        if (n === 0) bytes += out.length;
      }
    }
    const ms = (cpuMs() - started) / (N * captures.length);
    bytes /= captures.length;
    rows.push({ name, label, ms, bytes, fastBytes, renderCpuMs });
  }
  const l6 = rows.find((r) => r.name === name && r.label === 'libvips zlib 6, no filter').bytes;
  for (const r of rows.filter((r) => r.name === name)) r.vsL6 = r.bytes / l6;
  const { width, height } = await sharp(captures[0]).metadata();
  const { channels } = await sharp(captures[0]).metadata();
  console.log(`${name}: ${width}x${height}, fast capture ${(fastBytes / 1024).toFixed(0)} KiB (${(fastBytes / (width * height * channels)).toFixed(2)} bytes per raw byte), one render ${renderCpuMs.toFixed(0)} ms CPU (K=2, browser + driver)`);
}
await browser.close();
await fonts.close();

console.log(`\n${os.cpus()[0]?.model ?? ''}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)} at the end, n=${N}x${CAPTURES}`);
console.log('\n| shape | candidate | CPU ms / image | share of a render | KiB | vs zlib 6 | vs capture |\n|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.label} | ${r.ms.toFixed(1)} | ${((100 * r.ms) / r.renderCpuMs).toFixed(1)} % | ${(r.bytes / 1024).toFixed(0)} | ${r.vsL6.toFixed(2)} | ${(r.bytes / r.fastBytes).toFixed(2)} |`);
}
