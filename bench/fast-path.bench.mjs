#!/usr/bin/env node
// request_overrides, Twemoji and the fast path: a document without rules must render
// as fast as before, and one with emoji pays only for drawing them. One process, rounds
// alternated so a noisy machine weighs on every cell alike, each cell's renders per second
// divided by the floor's of its round (one browser, K warm pages, set content + capture):
//   - this tree's renderer, html without rules (warm pooled pages, as before);
//   - the same with `request_overrides: []` (no rules: the same path);
//   - with one rule (its own browser context, requests paused and judged; N/4 renders, it is
//     the slow path every own-context render takes);
//   - a card with an emoji, drawn as Twemoji (the default), and with disable_twemoji;
//   - with --base <checkout>: that tree's renderer (built, e.g. main before the change), html
//     without rules, for the before/after ratio in the same window.
// Run by hand: node bench/fast-path.bench.mjs [--n 60] [--k 4] [--rounds 3] [--base /path/to/old/checkout]
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, runLoad, summary } from './support.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 60);
const K = Number(args.k ?? 4);
const ROUNDS = Number(args.rounds ?? 3);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 600, height: 315 };

const rendererOf = (root) => createRequire(path.join(root, 'package.json'))('./packages/renderer/dist');
const { ChromiumRenderer, CHROMIUM_ARGS, planRender } = rendererOf(ROOT);

let serial = 0;
/** A distinct small card per render, without emoji (the emoji path is measured elsewhere). */
const card = (emoji = '') => {
  const i = serial++;
  return `<div style="width:600px;height:315px;box-sizing:border-box;padding:36px;background:hsl(${(i * 47) % 360},70%,40%);color:#fff;font:700 32px 'Liberation Sans',sans-serif">Card ${i}: fast path bench ${emoji}</div>`;
};
const body = (extra = {}, emoji = '') => ({ html: card(emoji), viewport_width: VIEWPORT.width, viewport_height: VIEWPORT.height, device_scale: 1, ...extra });
/** This tree's renderer reads a plan (a base from before plans took the request). */
const capture = (request) => planRender(request, 'capture');

async function floorRunner() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const pages = await Promise.all(
    Array.from({ length: K }, async () => {
      const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
      const page = await context.newPage();
      return { page, cdp: await context.newCDPSession(page) };
    }),
  );
  const free = [...pages];
  return {
    task: async () => {
      const p = free.pop();
      await p.page.setContent(card(), { waitUntil: 'load' });
      await p.cdp.send('Page.captureScreenshot', { format: 'png', clip: { x: 0, y: 0, ...VIEWPORT, scale: 1 }, optimizeForSpeed: true, fromSurface: true });
      free.push(p);
    },
    close: () => browser.close(),
  };
}

function renderer(Renderer) {
  return new Renderer({ executablePath: CHROMIUM, urlAllowlist: [], timeoutMs: 30_000, maxCaptureHeight: 16_384, poolSize: 2 * K });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const floor = await floorRunner();
  const current = renderer(ChromiumRenderer);
  const baseModule = args.base ? rendererOf(path.resolve(args.base)) : undefined;
  const base = baseModule ? renderer(baseModule.ChromiumRenderer) : undefined;
  const baseCapture = (request) => (baseModule.planRender ? baseModule.planRender(request, 'capture') : request);
  await Promise.all([current.start(), base?.start()]);
  const cells = {
    floor: floor.task,
    'no rules': () => current.render(capture(body())),
    'request_overrides: []': () => current.render(capture(body({ request_overrides: [] }))),
    'one rule': () => current.render(capture(body({ request_overrides: [{ action: 'block', url: '*://ads.example/*' }] }))),
    'emoji, Twemoji': () => current.render(capture(body({}, '\u2728'))),
    'emoji, disable_twemoji': () => current.render(capture(body({ disable_twemoji: true }, '\u2728'))),
    ...(base ? { 'base, no rules': () => base.render(baseCapture(body())) } : {}),
  };
  const ratios = Object.fromEntries(Object.keys(cells).map((name) => [name, []]));
  const rps = Object.fromEntries(Object.keys(cells).map((name) => [name, []]));
  try {
    for (const task of Object.values(cells)) await runLoad(2 * K, K, task); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      const round = {};
      // Each round in another order: a burst of load elsewhere on the machine lands on different cells.
      const order = Object.entries(cells);
      for (let i = 0; i < r % order.length; i++) order.push(order.shift());
      for (const [name, task] of order) {
        const { latencies, seconds } = await runLoad(name === 'one rule' ? Math.max(K, Math.round(N / 4)) : N, K, task);
        round[name] = summary(latencies, seconds).rps;
      }
      for (const name of Object.keys(cells)) {
        rps[name].push(round[name]);
        ratios[name].push(round[name] / round.floor);
      }
    }
  } finally {
    await current.close?.();
    await base?.close?.();
    await floor.close();
  }
  console.log(`fast path bench: ${N} renders per cell and round, K=${K}, ${ROUNDS} rounds, 600x315 cards at scale 1`);
  console.log('cell'.padEnd(24), 'renders/s (median)'.padEnd(20), 'ratio to floor (median, per round)');
  for (const name of Object.keys(cells)) {
    console.log(name.padEnd(24), median(rps[name]).toFixed(1).padEnd(20), `${median(ratios[name]).toFixed(2)}  [${ratios[name].map((x) => x.toFixed(2)).join(', ')}]`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
