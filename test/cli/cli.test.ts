// The `pixelfarm` CLI as a user runs it: the built dist/main.js as a child process, against a
// real API and worker (Redis, Chromium, storage) behind a loopback proxy that records what the
// server was asked and can play a struggling server. Images are checked by decoding pixels.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { freePort } from '../support/ports';
import { decodeImage, sniffFormat } from '../support/decode-image';
import { startRecordingProxy, type RecordingProxy, type RecordedRequest } from './recording-proxy';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'apps', 'cli', 'dist', 'main.js');
const USER = 'cli-user';
const KEY = 'cli-secret-key';

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Builds the CLI like `npm test` does (tsc -b), so a test run never uses a stale dist/. */
function buildCli(): void {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-b', 'apps/cli'], { cwd: ROOT, stdio: 'pipe' });
}

/** A card whose colour encodes its line, so any image can be checked against the line that asked for it. */
function colourOf(line: number): [number, number, number] {
  return [line, 255 - line, (line * 37) % 256];
}
function cardHtml(line: number): string {
  const [r, g, b] = colourOf(line);
  return `<div data-line="${line}" style="width:200px;height:100px;background:rgb(${r},${g},${b})"></div>`;
}
const lineOfRequest = (req: RecordedRequest): number => Number(/data-line=\\?"(\d+)\\?"/.exec(req.body)?.[1]);
const posts = (proxy: RecordingProxy) => proxy.requests.filter((r) => r.method === 'POST' && r.path === '/v1/image');

function readManifestLines(file: string): Array<{ line: number; name: string; id: string | null; file: string | null; status: string; error?: string }> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return []; // a line torn by SIGKILL
      }
    });
}

describe('pixelfarm CLI', () => {
  let stack: InProcessStack;
  let proxy: RecordingProxy;
  let work: string;
  let apiUrl: string;

  beforeAll(async () => {
    buildCli();
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    stack = await startInProcessStack({
      PORT: String(port),
      PUBLIC_URL: apiUrl,
      API_KEYS: `${USER}:${KEY}`,
      RATE_LIMIT_PER_MINUTE: '100000',
      WORKER_CONCURRENCY: '4',
    });
    await stack.api.listen();
    proxy = await startRecordingProxy(apiUrl);
    work = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? '/tmp', 'cli-'));
  });

  afterAll(async () => {
    await proxy?.close();
    await stack?.close();
  });

  beforeEach(() => {
    proxy.intercept = undefined;
    proxy.tag = '';
  });

  /** Starts the CLI; `onStart` gets the child (to kill it), the promise its exit and output. */
  function cli(args: string[], opts: { env?: Record<string, string>; onStart?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<CliRun> {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', PIXELFARM_URL: proxy.url, PIXELFARM_USER_ID: USER, PIXELFARM_API_KEY: KEY, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    opts.onStart?.(child);
    return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  }

  it('renders 200 lines, survives SIGKILL mid-run, and resumes without rendering a finished line again', async () => {
    const input = path.join(work, 'cards.jsonl');
    fs.writeFileSync(input, Array.from({ length: 200 }, (_, i) => JSON.stringify({ html: cardHtml(i + 1), device_scale: 1 })).join('\n') + '\n');
    const out = path.join(work, 'cards');
    const manifest = path.join(out, 'manifest.jsonl');
    const enqueuedBefore = await enqueuedRenders(stack);

    // Run 1: killed with SIGKILL (no chance to clean up) once 40 lines are recorded.
    proxy.tag = 'run1';
    let poll: NodeJS.Timeout | undefined;
    const first = await cli(['render', input, '-o', out, '-c', '4'], {
      onStart: (child) => {
        poll = setInterval(() => {
          if (readManifestLines(manifest).length >= 40) child.kill('SIGKILL');
        }, 25);
      },
    });
    clearInterval(poll);
    expect(first.signal).toBe('SIGKILL');
    const afterKill = readManifestLines(manifest);
    const doneBefore = new Set(afterKill.filter((e) => e.status === 'done').map((e) => e.line));
    expect(doneBefore.size).toBeGreaterThanOrEqual(40);
    expect(doneBefore.size).toBeLessThan(200);
    // "done" in the manifest implies the file: images are renamed into place before the entry is appended.
    for (const e of afterKill) expect(fs.existsSync(path.join(out, e.file!))).toBe(true);

    // Run 2: the same command finishes the job.
    proxy.tag = 'run2';
    const second = await cli(['render', input, '-o', out, '-c', '4']);
    expect(second.stderr).not.toMatch(/^line \d+:/m);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^${200 - doneBefore.size} done, ${doneBefore.size} skipped, 0 failed of 200 lines in ([\\d.]+ s|\\d+:\\d\\d) \\([\\d.]+ renders/s, 0 retries\\)\\n$`));

    // Every line done exactly once in the manifest, nothing failed.
    const entries = readManifestLines(manifest);
    expect(entries.filter((e) => e.status !== 'done')).toEqual([]);
    const doneCount = new Map<number, number>();
    for (const e of entries) doneCount.set(e.line, (doneCount.get(e.line) ?? 0) + 1);
    expect([...doneCount.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect([...doneCount.values()].every((n) => n === 1)).toBe(true);

    // What the server was asked: run 2 sent exactly the lines run 1 had not recorded, once each;
    // only lines in flight at the kill (at most the concurrency) were sent twice.
    const run2Lines = posts(proxy).filter((r) => r.tag === 'run2').map(lineOfRequest).sort((a, b) => a - b);
    expect(run2Lines).toEqual(Array.from({ length: 200 }, (_, i) => i + 1).filter((l) => !doneBefore.has(l)));
    const perLine = new Map<number, number>();
    for (const r of posts(proxy).filter((p) => p.tag.startsWith('run'))) perLine.set(lineOfRequest(r), (perLine.get(lineOfRequest(r)) ?? 0) + 1);
    expect(perLine.size).toBe(200);
    const twice = [...perLine].filter(([, n]) => n > 1).map(([l]) => l);
    expect(twice.length).toBeLessThanOrEqual(4);
    for (const l of twice) expect(doneBefore.has(l)).toBe(false);
    // And the API's own count of renders queued: 200 plus at most the lines in flight at the kill.
    const enqueued = (await enqueuedRenders(stack)) - enqueuedBefore;
    expect(enqueued).toBeGreaterThanOrEqual(200);
    expect(enqueued).toBeLessThanOrEqual(204);

    // All 200 files, zero-padded, and the pixels of lines from both runs are their line's colour.
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.png')).sort();
    expect(files).toEqual(Array.from({ length: 200 }, (_, i) => `${String(i + 1).padStart(3, '0')}.png`));
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    const sample = [1, 2, 57, 100, 143, 199, 200, [...doneBefore][0]!, run2Lines[0]!, run2Lines.at(-1)!];
    for (const line of sample) {
      const data = fs.readFileSync(path.join(out, `${String(line).padStart(3, '0')}.png`));
      expect(sniffFormat(data)).toBe('png');
      const img = await decodeImage(data);
      expect([line, img.width, img.height]).toEqual([line, 200, 100]);
      expect([line, img.pixel(100, 50)]).toEqual([line, [...colourOf(line), 255]]);
    }
  }, 240_000);

  it('reads CSV with quoted fields, names files by a column, and reports a bad row by its line', async () => {
    const input = path.join(work, 'people.csv');
    fs.writeFileSync(
      input,
      [
        'slug,html,device_scale',
        '"Ada, Countess","<div style=""width:40px;height:20px;background:#0000ff""\n title=""a, b""></div>",1',
        'red/card,"<div style=""width:30px;height:30px;background:#ff0000""></div>",2',
        'too,many,fields,here',
        '',
      ].join('\r\n'),
    );
    const out = path.join(work, 'people');
    const run = await cli(['render', input, '-o', out, '--name-column', 'slug', '-f', 'webp']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^2 done, 0 skipped, 1 failed of 3 lines /);
    // The bad row is named by its line in the file (the quoted newline makes it line 5).
    expect(run.stderr).toMatch(/^line 5: bad input line: expected 3 fields \(slug,html,device_scale\), found 4$/m);
    // Not a terminal: plain progress lines, no escape codes.
    expect(run.stderr).toMatch(/^progress 3\/3 \(100%\) done=2 failed=1 skipped=0 /m);
    expect(run.stderr).not.toMatch(/[\r\x1b]/);

    expect(fs.readdirSync(out).sort()).toEqual(['Ada_Countess.webp', 'manifest.jsonl', 'red_card.webp']);
    const ada = fs.readFileSync(path.join(out, 'Ada_Countess.webp'));
    expect(sniffFormat(ada)).toBe('webp');
    const adaImg = await decodeImage(ada);
    expect([adaImg.width, adaImg.height]).toEqual([40, 20]);
    expect(adaImg.pixel(20, 10).slice(0, 3).map((c) => Math.round(c / 16))).toEqual([0, 0, 16]);
    const red = await decodeImage(fs.readFileSync(path.join(out, 'red_card.webp')));
    expect([red.width, red.height]).toEqual([60, 60]);
    expect(readManifestLines(path.join(out, 'manifest.jsonl')).find((e) => e.status === 'failed')).toEqual({
      line: 5,
      name: '5',
      id: null,
      file: null,
      status: 'failed',
      error: 'bad input line: expected 3 fields (slug,html,device_scale), found 4',
    });
    // The name column is not an API field, so it was not sent (the API rejects unknown fields).
    const sent = posts(proxy).slice(-2).map((r) => JSON.parse(r.body) as Record<string, unknown>);
    for (const body of sent) expect(Object.keys(body).sort()).toEqual(['device_scale', 'html']);
  });

  it('retries 503 and 429 (waiting out Retry-After), fails a 4xx line at once, and gives up after --retries', async () => {
    const input = path.join(work, 'flaky.jsonl');
    fs.writeFileSync(
      input,
      [
        JSON.stringify({ html: cardHtml(7), device_scale: 1 }),
        '{"html": "<p>broken',
        JSON.stringify({ html: cardHtml(8), device_scale: 1, colour: 'red' }),
        JSON.stringify({ html: cardHtml(9), device_scale: 1 }),
      ].join('\n'),
    );
    const out = path.join(work, 'flaky');
    // Line 1 (card 7): 503, 503, 429 Retry-After 3, then the API. Line 4 (card 9): always 503.
    // (Backoff before a third retry is 1-2 s: only an honoured Retry-After waits 3 s.)
    const seen = new Map<number, number>();
    proxy.intercept = (req) => {
      if (req.method !== 'POST') return undefined;
      const card = lineOfRequest(req);
      const n = (seen.get(card) ?? 0) + 1;
      seen.set(card, n);
      if (card === 7 && n <= 2) return { status: 503 };
      if (card === 7 && n === 3) return { status: 429, headers: { 'retry-after': '3' }, body: JSON.stringify({ error: 'Too Many Requests', statusCode: 429, message: 'slow down' }) };
      if (card === 9) return { status: 503, body: JSON.stringify({ error: 'Service Unavailable', statusCode: 503, message: 'queue is full' }) };
      return undefined;
    };
    proxy.tag = 'flaky';
    const run = await cli(['render', input, '-o', out, '-c', '1', '--retries', '3']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^1 done, 0 skipped, 3 failed of 4 lines in [\d.]+ s \([\d.]+ renders\/s, 6 retries\)/);

    const card7 = posts(proxy).filter((r) => r.tag === 'flaky' && lineOfRequest(r) === 7);
    expect(card7.map((r) => r.injected)).toEqual([503, 503, 429, undefined]);
    // Retry-After: 3 was honoured.
    expect(card7[3]!.at - card7[2]!.at).toBeGreaterThanOrEqual(3000);
    const img = await decodeImage(fs.readFileSync(path.join(out, '1.png')));
    expect(img.pixel(100, 50)).toEqual([...colourOf(7), 255]);

    // A 400 is not retried; a 503 that never ends is retried --retries times, then the line fails.
    expect(posts(proxy).filter((r) => r.tag === 'flaky' && lineOfRequest(r) === 8)).toHaveLength(1);
    expect(posts(proxy).filter((r) => r.tag === 'flaky' && lineOfRequest(r) === 9)).toHaveLength(4);
    const failed = readManifestLines(path.join(out, 'manifest.jsonl')).filter((e) => e.status === 'failed');
    expect(failed).toEqual([
      expect.objectContaining({ line: 2, error: expect.stringMatching(/^bad input line: invalid JSON: /) }),
      expect.objectContaining({ line: 3, id: null, error: 'HTTP 400: Unknown field: colour' }),
      expect.objectContaining({ line: 4, id: null, error: 'HTTP 503: queue is full (gave up after 4 attempts)' }),
    ]);
    expect(run.stderr).toMatch(/^line 2: bad input line: invalid JSON: /m);
    expect(run.stderr).toMatch(/^line 3: HTTP 400: Unknown field: colour$/m);
  });

  it('renders a one-off from flags, in the format of -o', async () => {
    const run = await cli(['render', '--html', '<main></main>', '--css', 'body{margin:0;background:#00ff00}', '-W', '300', '-H', '200', '--device-scale', '1', '-o', 'one/card.jpg']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('one/card.jpg\n');
    const data = fs.readFileSync(path.join(work, 'one', 'card.jpg'));
    expect(sniffFormat(data)).toBe('jpeg');
    const img = await decodeImage(data);
    expect([img.width, img.height]).toEqual([300, 200]);
    const [r, g, b] = img.pixel(150, 100);
    expect(r).toBeLessThan(16);
    expect(g).toBeGreaterThan(240);
    expect(b).toBeLessThan(16);
  });

  it('stops the run at once when the server rejects the credentials', async () => {
    const input = path.join(work, 'auth.jsonl');
    fs.writeFileSync(input, `${JSON.stringify({ html: cardHtml(1) })}\n${JSON.stringify({ html: cardHtml(2) })}\n`);
    proxy.tag = 'auth';
    const run = await cli(['render', input, '-o', path.join(work, 'auth'), '-c', '1'], { env: { PIXELFARM_API_KEY: 'wrong' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/pixelfarm: the server rejected the credentials \(HTTP 401: .*\): set --user-id\/--api-key or PIXELFARM_USER_ID\/PIXELFARM_API_KEY/);
    expect(readManifestLines(path.join(work, 'auth', 'manifest.jsonl'))).toEqual([]);
    // At once: line 2 is never sent.
    expect(posts(proxy).filter((r) => r.tag === 'auth')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  it('prints man-page help, and usage errors with status 2', async () => {
    const sections = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'ENVIRONMENT', 'EXIT STATUS', 'EXAMPLES'];
    for (const args of [['--help'], ['render', '--help']]) {
      const run = await cli(args);
      expect(run.code).toBe(0);
      const headings = run.stdout.split('\n').filter((l) => /^[A-Z][A-Z ]+$/.test(l));
      expect(headings.filter((h) => sections.includes(h))).toEqual(sections);
      expect(run.stdout).toMatch(/PIXELFARM_URL/);
    }
    const render = await cli(['render', '--help']);
    for (const flag of ['--output', '--concurrency', '--name-column', '--format', '--retries', '--html', '--css', '--url', '--width', '--height']) {
      expect(render.stdout).toContain(flag);
    }
    const bad = await cli(['render', 'cards.jsonl', '-c', '0', '-o', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`pixelfarm: --concurrency must be a whole number from 1 to 64, got "0"\nTry 'pixelfarm render --help'.\n`);
    const missing = await cli(['render', 'absent.jsonl', '-o', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read input file absent.jsonl: ENOENT/);
  });
});

async function enqueuedRenders(stack: InProcessStack): Promise<number> {
  const metric = await stack.api.registry.getSingleMetric('pixelfarm_render_jobs_enqueued_total')?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}
