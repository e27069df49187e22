// Prints the worker's mean time per render phase after a short e2e run (where the time goes),
// next to the client's mean latency. Run by hand: node bench/profile-phases.mjs [--n 100 --k 2]
import { card } from './cards.mjs';
import { runLoad, startStack } from './support.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 100);
const K = Number(args.k ?? 2);
const stack = await startStack({ workers: 1, env: { WORKER_CONCURRENCY: String(K) } });
const create = async (i) => {
  const res = await fetch(`${stack.url}/v1/image`, { method: 'POST', headers: { Authorization: stack.auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ html: card(i), viewport_width: 1200, viewport_height: 630, device_scale: 1 }) });
  await res.json();
};
const phases = async () => {
  const text = await (await fetch(`http://127.0.0.1:${stack.workerPorts[0]}/metrics`)).text();
  const out = {};
  for (const phase of ['load', 'wait', 'capture', 'encode', 'upload', 'total']) {
    const sum = Number(new RegExp(`pixelfarm_render_duration_seconds_sum\\{[^}]*phase="${phase}"[^}]*\\} ([\\d.e-]+)`).exec(text)?.[1]);
    const count = Number(new RegExp(`pixelfarm_render_duration_seconds_count\\{[^}]*phase="${phase}"[^}]*\\} (\\d+)`).exec(text)?.[1]);
    out[phase] = { sum, count };
  }
  return out;
};
try {
  await runLoad(K * 5, K, (i) => create(100000 + i));
  const before = await phases();
  const { latencies, seconds } = await runLoad(N, K, create);
  const after = await phases();
  console.log(`e2e ${(N / seconds).toFixed(2)}/s, client mean ${(latencies.reduce((a, b) => a + b) / N).toFixed(1)} ms; worker means:`);
  for (const [phase, a] of Object.entries(after)) {
    const b = before[phase];
    console.log(`  ${phase.padEnd(8)} ${(((a.sum - b.sum) / (a.count - b.count)) * 1000).toFixed(1)} ms`);
  }
} finally {
  await stack.stop();
}
