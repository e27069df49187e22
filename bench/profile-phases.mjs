// Prints the worker's mean time per render phase after a short e2e run (where the time goes).
import { card } from './cards.mjs';
import { runLoad, startStack } from './support.mjs';
const K = Number(process.env.K ?? 2);
const stack = await startStack({ workers: 1, env: { WORKER_CONCURRENCY: String(K) } });
try {
  const { latencies, seconds } = await runLoad(60, K, async (i) => {
    const res = await fetch(`${stack.url}/v1/image`, { method: 'POST', headers: { Authorization: stack.auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ html: card(i), viewport_width: 1200, viewport_height: 630, device_scale: 1 }) });
    await res.json();
  });
  console.log(`e2e ${(60 / seconds).toFixed(2)}/s mean ${(latencies.reduce((a, b) => a + b) / 60).toFixed(0)} ms`);
  const text = await (await fetch(`http://127.0.0.1:${stack.workerPorts[0]}/metrics`)).text();
  for (const phase of ['load', 'wait', 'capture', 'encode', 'upload', 'total']) {
    const sum = Number(new RegExp(`render_duration_seconds_sum\\{[^}]*phase="${phase}"[^}]*\\} ([\\d.e-]+)`).exec(text)?.[1]);
    const count = Number(new RegExp(`render_duration_seconds_count\\{[^}]*phase="${phase}"[^}]*\\} (\\d+)`).exec(text)?.[1]);
    console.log(`${phase.padEnd(8)} ${((sum / count) * 1000).toFixed(1)} ms`);
  }
} finally {
  await stack.stop();
}
