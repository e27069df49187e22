// Where the CPU of an end-to-end run goes, per render: API, worker, each kind of Chromium
// process, Redis and the load generator. Run by hand: node bench/cpu-split.mjs [--n 100 --k 2 --shape small|large|text]
import fs from 'node:fs';
import { createBody, startFontsServer } from './shapes.mjs';
import { runLoad, startStack } from './support.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 100);
const K = Number(args.k ?? 2);
const SHAPE = args.shape ?? 'large';
const fonts = await startFontsServer();

const ticks = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
};
const children = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const tree = (pid) => [pid, ...children(pid).flatMap(tree)];
const kindOf = (pid) => {
  const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  if (!cmd.includes('chromium')) return null;
  return `chromium:${/--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser'}`;
};

const stack = await startStack({ workers: 1, env: { WORKER_CONCURRENCY: String(K), URL_ALLOWLIST: '127.0.0.1' } });
const create = async (i) => {
  const res = await fetch(`${stack.url}/v1/image`, {
    method: 'POST',
    headers: { Authorization: stack.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(createBody(SHAPE, i, { fontsBase: fonts.base })),
  });
  if (res.status !== 200) throw new Error(`create ${i}: ${res.status}`);
  await res.json();
};
const sample = () => {
  const out = { api: ticks(stack.api.pid), worker: ticks(stack.workers[0].pid), bench: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000) };
  for (const pid of tree(stack.workers[0].pid).slice(1)) {
    const k = kindOf(pid);
    if (k) out[k] = (out[k] ?? 0) + ticks(pid);
  }
  const redisPid = Number(fs.readdirSync('/proc').find((p) => /^\d+$/.test(p) && (() => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`redis-server`) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(new URL(stack.env.REDIS_URL).port); } catch { return false; } })()));
  out.redis = ticks(redisPid);
  return out;
};
try {
  await runLoad(K * 5, K, (i) => create(100000 + i));
  const before = sample();
  const { seconds } = await runLoad(N, K, create);
  const after = sample();
  console.log(`${N} renders in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(1)}/s); CPU ms per render:`);
  let total = 0;
  for (const k of Object.keys(after)) {
    const ms = (after[k] - (before[k] ?? 0)) / N;
    total += ms;
    console.log(`  ${k.padEnd(24)} ${ms.toFixed(1)}`);
  }
  console.log(`  ${'total'.padEnd(24)} ${total.toFixed(1)}  (2 cores allow ${(2000 / (N / seconds)).toFixed(0)} per render at this rate)`);
} finally {
  await stack.stop();
  await fonts.close();
}
