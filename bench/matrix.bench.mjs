#!/usr/bin/env node
// Throughput for every shape of work in one run: small and large cards and a
// text-heavy page with a web font, K = 2, 4 and 8 clients in flight, WORKER_CONCURRENCY at its
// default and at 8, and a bulk job. Each cell alternates floor and end-to-end rounds and
// compares their medians; the floor is one browser with K warm pages rendering the same html at
// the same viewport and scale (set content + capture, nothing else). The baseline, measured once
// per cell, is what most peers do: a new context and page per render.
// PNG_OPTIMIZE is the default (deferred) unless --png names modes: `--png deferred,inline` runs
// every cell under both, against floors measured in the same run.
// Run by hand: npm run bench:matrix -- [--n 60] [--rounds 2] [--shapes small,large,text] [--ks 2,4,8] [--concurrency default,8] [--bulk 400] [--png deferred,inline]
import os from 'node:os';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { createBody, SHAPES, startFontsServer } from './shapes.mjs';
import { runLoad, startStack, summary } from './support.mjs';

const require = createRequire(import.meta.url);
const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 60);
const ROUNDS = Number(args.rounds ?? 2);
const SHAPE_NAMES = (args.shapes ?? 'small,large,text').split(',');
const KS = (args.ks ?? '2,4,8').split(',').map(Number);
const CONCURRENCIES = (args.concurrency ?? 'default,8').split(',');
const BULK = Number(args.bulk ?? 400);
const PNG_MODES = (args.png ?? 'default').split(',');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const { CHROMIUM_ARGS } = require('../packages/renderer/dist');
const { loadConfig } = require('../packages/config/dist');
const { Queue } = require('bullmq');
const IORedis = require('ioredis');

/**
 * Waits until the deferred PNG re-encodes (PNG_OPTIMIZE=deferred) queued so far are done, and
 * returns how long that took: floor rounds must not share the CPU with them, and their time is
 * reported as what the deferred work costs (the "with re-encode" columns).
 */
async function drainOptimizations(stack) {
  const connection = new IORedis(stack.env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('optimize-v1', { connection, prefix: loadConfig({}).queue.prefix });
  const started = performance.now();
  try {
    for (;;) {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
  return (performance.now() - started) / 1000;
}

let serial = 1_000_000; // distinct cards everywhere: a card seen before would be answered by dedupe
const next = () => serial++;

/** One browser, K warm pages at the shape's viewport and scale. */
async function floorRunner(shape, k, env) {
  const s = SHAPES[shape];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const pages = await Promise.all(
    Array.from({ length: k }, async () => {
      const context = await browser.newContext({ viewport: s.viewport, deviceScaleFactor: s.scale });
      const page = await context.newPage();
      return { page, cdp: await context.newCDPSession(page) };
    }),
  );
  const free = [...pages];
  const shot = async () => {
    const p = free.pop();
    await p.page.setContent(s.html(next(), env), { waitUntil: 'load' });
    await p.page.evaluate(() => document.fonts.ready.then(() => undefined));
    await p.cdp.send('Page.captureScreenshot', { format: 'png', clip: { x: 0, y: 0, ...s.viewport, scale: s.scale }, optimizeForSpeed: true, fromSurface: true });
    free.push(p);
  };
  // The design of most peers: a new context and page for every render, closed after it.
  const fresh = async () => {
    const context = await browser.newContext({ viewport: s.viewport, deviceScaleFactor: s.scale });
    const page = await context.newPage();
    await page.setContent(s.html(next(), env), { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.screenshot({ type: 'png' });
    await context.close();
  };
  await runLoad(k * 2, k, shot);
  return {
    round: async () => {
      const { latencies, seconds } = await runLoad(N, k, shot);
      return summary(latencies, seconds);
    },
    baseline: async () => {
      await runLoad(k, k, fresh);
      const { latencies, seconds } = await runLoad(Math.max(2 * k, Math.round(N / 5)), k, fresh);
      return summary(latencies, seconds).rps;
    },
    close: () => browser.close(),
  };
}

async function create(stack, body) {
  const res = await fetch(`${stack.url}/v1/image`, { method: 'POST', headers: { Authorization: stack.auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`create: ${res.status} ${await res.text()}`);
  await res.json();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function cell(stack, shape, k, env) {
  const floor = await floorRunner(shape, k, env);
  const e2e = async () => {
    const { latencies, seconds } = await runLoad(N, k, () => create(stack, createBody(shape, next(), env)));
    return summary(latencies, seconds);
  };
  await runLoad(k * 2, k, () => create(stack, createBody(shape, next(), env))); // warm-up
  const floors = [];
  const e2es = [];
  const sustained = [];
  let baseline;
  try {
    baseline = await floor.baseline();
    await drainOptimizations(stack);
    for (let r = 0; r < ROUNDS; r++) {
      floors.push(await floor.round());
      const round = await e2e();
      e2es.push(round);
      // Renders per second counting the deferred re-encodes this round queued, run after it.
      sustained.push(N / (N / round.rps + (await drainOptimizations(stack))));
    }
  } finally {
    await floor.close();
  }
  const f = median(floors.map((x) => x.rps));
  const e = median(e2es.map((x) => x.rps));
  const w = median(sustained);
  return { floor: f, e2e: e, ratio: e / f, withEncode: w, withEncodeRatio: w / f, p95: median(e2es.map((x) => x.p95)), baseline };
}

/** A bulk job of `count` cards, timed from the POST to the last item done. */
async function bulk(stack, shape, count, env) {
  const requests = Array.from({ length: count }, () => createBody(shape, next(), env));
  const started = performance.now();
  const res = await fetch(`${stack.url}/v1/batches`, { method: 'POST', headers: { Authorization: stack.auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ variations: requests }) });
  if (res.status !== 202) throw new Error(`bulk: ${res.status} ${await res.text()}`);
  const { status_url } = await res.json();
  for (;;) {
    const s = await (await fetch(`${status_url}?limit=1`, { headers: { Authorization: stack.auth } })).json();
    if (s.done + s.failed === s.total) {
      if (s.failed > 0) throw new Error(`bulk: ${s.failed} items failed`);
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const seconds = (performance.now() - started) / 1000;
  return { rps: count / seconds, withEncode: count / (seconds + (await drainOptimizations(stack))) };
}

const fonts = await startFontsServer();
const env = { fontsBase: fonts.base };
const defaults = loadConfig({});
const defaultConcurrency = defaults.worker.concurrency;
console.log(`matrix: ${N} renders per round, ${ROUNDS} alternating rounds, ${os.cpus().length} cores, default WORKER_CONCURRENCY ${defaultConcurrency}`);
const rows = [];
try {
  for (const png of PNG_MODES)
  for (const c of CONCURRENCIES) {
    const concurrency = c === 'default' ? defaultConcurrency : Number(c);
    const stack = await startStack({
      workers: 1,
      env: { ...(c === 'default' ? {} : { WORKER_CONCURRENCY: String(concurrency) }), ...(png === 'default' ? {} : { PNG_OPTIMIZE: png }), URL_ALLOWLIST: '127.0.0.1' },
    });
    try {
      for (const k of KS) {
        for (const shape of SHAPE_NAMES) {
          const r = await cell(stack, shape, k, env);
          rows.push({ shape, k, concurrency: c, png, ...r });
          console.log(`${shape.padEnd(6)} K=${k} WORKER_CONCURRENCY=${String(c).padEnd(7)} PNG_OPTIMIZE=${png.padEnd(8)} e2e ${r.e2e.toFixed(1).padStart(5)}/s  floor ${r.floor.toFixed(1).padStart(5)}/s  ratio ${r.ratio.toFixed(2)}  with re-encode ${r.withEncodeRatio.toFixed(2)}  e2e p95 ${r.p95.toFixed(0)} ms  baseline ${r.baseline.toFixed(2)}/s  e2e/baseline ${(r.e2e / r.baseline).toFixed(1)}`);
        }
      }
      if (BULK > 0 && c === 'default') {
        // A bulk backlog alone runs on the worker's base slots (WORKER_BASE_CONCURRENCY), so the
        // floor renders as many at once.
        const kFloor = Math.max(2, defaults.worker.baseConcurrency);
        const floor = await floorRunner('small', kFloor, env);
        const floors = [];
        const bulks = [];
        try {
          await drainOptimizations(stack);
          for (let r = 0; r < ROUNDS; r++) {
            floors.push((await floor.round()).rps);
            bulks.push(await bulk(stack, 'small', BULK, env));
          }
        } finally {
          await floor.close();
        }
        const f = median(floors);
        const b = median(bulks.map((x) => x.rps));
        const w = median(bulks.map((x) => x.withEncode));
        rows.push({ shape: 'small (bulk)', k: kFloor, concurrency: c, png, e2e: b, floor: f, ratio: b / f, withEncode: w, withEncodeRatio: w / f });
        console.log(`PNG_OPTIMIZE=${png} bulk of ${BULK} small cards: ${b.toFixed(1)}/s from POST to last item, floor (K=${kFloor}) ${f.toFixed(1)}/s, ratio ${(b / f).toFixed(2)}, with re-encode ${(w / f).toFixed(2)}`);
      }
    } finally {
      await stack.stop();
    }
  }
} finally {
  await fonts.close();
}
// "with re-encode": renders per second counting the time the deferred re-encodes took after the
// round (none with inline, whose encode is inside end to end already).
// "baseline": a new context and page per render in the floor's browser, at the same K.
console.log('\n| shape | K | WORKER_CONCURRENCY | PNG_OPTIMIZE | end to end /s | floor /s | ratio | with re-encode /s | ratio | baseline /s | e2e / baseline |\n|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const base = r.baseline === undefined ? '| |' : `| ${r.baseline.toFixed(2)} | ${(r.e2e / r.baseline).toFixed(1)} |`;
  console.log(`| ${r.shape} | ${r.k} | ${r.concurrency} | ${r.png} | ${r.e2e.toFixed(1)} | ${r.floor.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.withEncode.toFixed(1)} | ${r.withEncodeRatio.toFixed(2)} ${base}`);
}
