#!/usr/bin/env node
// A templated bulk job, timed on the API alone: POST /v1/batches with N variations of one stored
// template (each with its own template_values), from request to 202. No worker runs, so the time
// is the API's: validation, template rendering of every item, records and the queue
// (template rendering runs on the API's event loop, so its cost per item is what this shows).
// Options: --n 1000 (variations) --rounds 5 --tags 200 (Handlebars tags in the template).
// Run by hand after `npm run build`: node bench/template-bulk.bench.mjs
import fs from 'node:fs';
import { startStack } from './support.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const N = Number(args.n ?? 1000);
const ROUNDS = Number(args.rounds ?? 5);
const TAGS = Number(args.tags ?? 200);

/** A card with `tags` Handlebars tags: fields, conditionals and a loop, as a real template has. */
function cardTemplate(tags) {
  const rows = [];
  // Each row holds 4 tags: {{#if}}, two fields and {{/if}}.
  for (let i = 0; rows.length * 4 < tags - 6; i++) rows.push(`{{#if show${i % 10}}}<p class="r${i}">{{label}} · {{value${i % 10}}}</p>{{/if}}`);
  return `<div class="card"><h1>{{title}}</h1>${rows.join('')}<ul>{{#each items}}<li>{{name}}</li>{{/each}}</ul></div>`;
}

/** CPU seconds (user + system) the process has used so far, from /proc. */
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const stack = await startStack({ workers: 0, env: { BATCH_MAX: String(Math.max(N, 10_000)), BULK_MAX_PENDING: String(N * (ROUNDS + 1)) } });
try {
  const headers = { Authorization: stack.auth, 'Content-Type': 'application/json' };
  const created = await fetch(`${stack.url}/v1/template`, { method: 'POST', headers, body: JSON.stringify({ html: cardTemplate(TAGS), css: 'h1{font:{{size}}px sans-serif}' }) });
  if (created.status !== 201) throw new Error(`template: ${created.status} ${await created.text()}`);
  const { template_id } = await created.json();
  const variations = (round) =>
    Array.from({ length: N }, (_, i) => ({
      template_id,
      template_values: {
        title: `Card ${round}-${i}`,
        label: 'Value',
        size: 20 + (i % 30),
        items: [{ name: 'one' }, { name: 'two' }, { name: `#${i}` }],
        ...Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`show${k}`, (i + k) % 3 !== 0])),
        ...Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`value${k}`, i * k])),
      },
    }));
  const times = [];
  const cpu = [];
  // Round 0 warms the process up (JIT, connections) and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    const body = JSON.stringify({ default_options: { device_scale: 1 }, variations: variations(round) });
    const cpuBefore = cpuSeconds(stack.api.pid);
    const start = performance.now();
    const res = await fetch(`${stack.url}/v1/batches`, { method: 'POST', headers, body });
    const ms = performance.now() - start;
    const cpuMs = (cpuSeconds(stack.api.pid) - cpuBefore) * 1000;
    if (res.status !== 202) throw new Error(`batch: ${res.status} ${await res.text()}`);
    if (round > 0) {
      times.push(ms);
      cpu.push(cpuMs);
    }
    console.log(`round ${round}${round === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms to 202, API CPU ${cpuMs.toFixed(0)} ms`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${N} templated variations (${TAGS} tags): median ${median(times).toFixed(0)} ms to 202, API CPU ${median(cpu).toFixed(0)} ms`);
} finally {
  await stack.stop();
}
