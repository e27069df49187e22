#!/usr/bin/env node
// Throughput of the whole system against the browser's own limit, in one run:
//   e2e      N distinct 1200x630 cards through HTTP → queue → render → storage → URL, K at a time
//   floor    one browser, K warm pages, set content + capture, nothing else (the ceiling)
//   baseline a new browser context per job (what a naive farm does)
// Options: --n 200 --k 2 --rounds 3 | --memory 2000 (worker RSS over many renders) | --backlog 1000
// (interactive p95 with a bulk backlog queued vs idle). --memory and --backlog run the worker at its
// default WORKER_CONCURRENCY unless --concurrency N says otherwise (the throughput rounds run it
// at K). Run by hand: npm run bench:throughput
// Floor and e2e run in alternating rounds and the medians are compared: on a shared machine the
// speed drifts by ±15 % over minutes, which one run of each would mistake for a difference.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { card } from './cards.mjs';
import { runLoad, startStack, summary } from './support.mjs';

const require = createRequire(import.meta.url);
const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 200);
const K = Number(args.k ?? 2);
const ROUNDS = Number(args.rounds ?? 3);
/** The worker's env for --memory and --backlog: its default concurrency unless --concurrency is given. */
const settledEnv = args.concurrency && args.concurrency !== 'default' ? { WORKER_CONCURRENCY: String(Number(args.concurrency)) } : {};
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const { CHROMIUM_ARGS, treeMemoryMb } = require('../packages/renderer/dist');

const fmt = (s) => `${s.rps.toFixed(2).padStart(7)} renders/s   p50 ${s.p50.toFixed(0).padStart(5)} ms   p95 ${s.p95.toFixed(0).padStart(5)} ms`;

async function createCard(stack, i, extra = {}) {
  const res = await fetch(`${stack.url}/v1/image`, {
    method: 'POST',
    headers: { Authorization: stack.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ html: card(i), viewport_width: 1200, viewport_height: 630, device_scale: 1, ...extra }),
  });
  if (res.status !== 200) throw new Error(`create ${i}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The whole system, started once; each call of the returned function is one measured round. */
async function endToEnd() {
  const stack = await startStack({ workers: 1, env: { WORKER_CONCURRENCY: String(K) } });
  let first = 1_000_000;
  await runLoad(K * 3, K, (i) => createCard(stack, first + i)); // warm-up
  const round = async () => {
    first += 100_000; // distinct cards every round: a card seen before would be answered by dedupe
    const base = first;
    const { latencies, seconds } = await runLoad(N, K, (i) => createCard(stack, base + i));
    return summary(latencies, seconds);
  };
  return { round, close: () => stack.stop() };
}

async function withBrowser(fn) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** One browser with K warm pages; each call of the returned function is one measured round. */
async function floor() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const pages = await Promise.all(
    Array.from({ length: K }, async () => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 630 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      return { page, cdp: await context.newCDPSession(page) };
    }),
  );
  const free = [...pages];
  const shot = async (i) => {
    const p = free.pop();
    await p.page.setContent(card(i), { waitUntil: 'load' });
    await p.cdp.send('Page.captureScreenshot', { format: 'png', clip: { x: 0, y: 0, width: 1200, height: 630, scale: 1 }, optimizeForSpeed: true, fromSurface: true });
    free.push(p);
  };
  await runLoad(K * 3, K, (i) => shot(100000 + i));
  const round = async () => {
    const { latencies, seconds } = await runLoad(N, K, shot);
    return summary(latencies, seconds);
  };
  return { round, close: () => browser.close() };
}

async function contextPerJob() {
  const n = Math.max(20, Math.round(N / 5));
  return withBrowser(async (browser) => {
    const shot = async (i) => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 630 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.setContent(card(i), { waitUntil: 'load' });
      await page.screenshot({ type: 'png' });
      await context.close();
    };
    await runLoad(K, K, (i) => shot(100000 + i));
    const { latencies, seconds } = await runLoad(n, K, shot);
    return summary(latencies, seconds);
  });
}

async function memory(total) {
  const stack = await startStack({ workers: 1, env: settledEnv });
  const pid = stack.workers[0].pid;
  const rss = () => {
    const self = Number(require('node:fs').readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096 / 2 ** 20;
    return self + treeMemoryMb(pid);
  };
  try {
    const samples = [];
    const step = Math.max(100, Math.round(total / 10));
    for (let done = 0; done < total; done += step) {
      await runLoad(step, K, (i) => createCard(stack, done + i));
      samples.push({ renders: done + step, mb: rss() });
      console.log(`  after ${String(done + step).padStart(5)} renders: worker + browser RSS ${samples.at(-1).mb.toFixed(0)} MB`);
    }
    const first = samples[1] ?? samples[0];
    const last = samples.at(-1);
    console.log(`memory growth from ${first.renders} to ${last.renders} renders: ${(((last.mb - first.mb) / first.mb) * 100).toFixed(1)} % (target < 10 %)`);
  } finally {
    await stack.stop();
  }
}

async function backlog(size) {
  const stack = await startStack({ workers: 1, env: settledEnv });
  const { RenderQueue } = require('../packages/queue/dist');
  const { newImageId } = require('../packages/schemas/dist');
  const queue = new RenderQueue({ redisUrl: stack.env.REDIS_URL, prefix: 'pixelfarm', attempts: 1, backoffMs: 500 });
  try {
    await queue.ready();
    // Each probe renders cards of its own: a card seen before would be answered by dedupe.
    const probe = async (label, first) => {
      const { latencies, seconds } = await runLoad(30, 1, (i) => createCard(stack, first + i));
      const s = summary(latencies, seconds);
      console.log(`  interactive ${label.padEnd(26)} p50 ${s.p50.toFixed(0)} ms  p95 ${s.p95.toFixed(0)} ms`);
      return s;
    };
    const idle = await probe('(idle)', 500000);
    for (let i = 0; i < size; i++) {
      await queue.enqueue({ id: newImageId(), account: 'bench', request: { html: card(i), viewport_width: 1200, viewport_height: 630, device_scale: 1 } }, 'bulk');
    }
    const busy = await probe(`(${size} bulk jobs queued)`, 600000);
    const left = await queue.counts();
    console.log(`  bulk jobs still queued after the probe: ${left.prioritized + left.waiting}`);
    console.log(`interactive p95 with backlog / idle p95: ${(busy.p95 / idle.p95).toFixed(2)} (target <= 2)`);
  } finally {
    await queue.close();
    await stack.stop();
  }
}

if (args.memory) await memory(Number(args.memory));
else if (args.backlog) await backlog(Number(args.backlog));
else {
  console.log(`throughput: ${N} distinct 1200x630 cards, concurrency K=${K}, ${ROUNDS} alternating rounds, ${require('node:os').cpus().length} cores`);
  const b = await contextPerJob();
  console.log(`baseline  (new context per job)         ${fmt(b)}`);
  const f = await floor();
  const e = await endToEnd();
  const floors = [];
  const e2es = [];
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      floors.push(await f.round());
      console.log(`floor  #${r} (1 browser, K warm pages)     ${fmt(floors.at(-1))}`);
      e2es.push(await e.round());
      console.log(`e2e    #${r} (HTTP→queue→render→storage)  ${fmt(e2es.at(-1))}`);
    }
  } finally {
    await e.close();
    await f.close();
  }
  const fm = median(floors);
  const em = median(e2es);
  console.log(`median floor ${fmt(fm)}`);
  console.log(`median e2e   ${fmt(em)}`);
  console.log(`ratios: e2e/floor = ${(em.rps / fm.rps).toFixed(2)} (target >= 0.8)   e2e/baseline = ${(em.rps / b.rps).toFixed(1)} (target >= 10)   floor/baseline = ${(fm.rps / b.rps).toFixed(1)}`);
  // Each round's floor and e2e ran back to back, so their ratio is the least affected by drift.
  const paired = floors.map((f, i) => e2es[i].rps / f.rps);
  console.log(`e2e/floor per round: ${paired.map((r) => r.toFixed(2)).join(' ')}   median ${median(paired, (r) => r).toFixed(2)}`);
}

/** The item with the median value: by default the round with the median throughput. */
function median(items, value = (round) => round.rps) {
  return [...items].sort((x, y) => value(x) - value(y))[Math.floor(items.length / 2)];
}
