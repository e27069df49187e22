// The playground at / in a real headless Chromium against a real in-process stack (API listening
// on loopback, worker, Redis, Chromium renders): type HTML, render, and check the preview's size
// and the stored image's pixels, the URL and the curl command (run for real). Also /docs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { CHROMIUM_ARGS } from '@pixelfarm/renderer';
import { createApiApp } from '../../apps/api/src/app';
import type { OpenApiDocument } from '../../apps/api/src/docs/openapi-types';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { freePort } from '../support/ports';
import { testEnv, TEST_KEYS } from '../support/test-env';
import { decodeImage, sniffFormat } from '../support/decode-image';

const run = promisify(execFile);
const COLOUR: [number, number, number, number] = [0x12, 0xa4, 0xd9, 255];

describe('playground and docs pages', () => {
  let stack: InProcessStack;
  let base: string;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    stack = await startInProcessStack({ PORT: String(port), PUBLIC_URL: base });
    await stack.api.listen();
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    await page.goto(`${base}/`);
    await page.waitForSelector('#playground[data-ready="true"]');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const fetchBytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

  it('is served with a strict CSP that its own inline CSS and script satisfy, and no key prefilled', async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/i);
    expect(html).not.toContain('dev-secret-change-me');
    expect(await page.inputValue('#api-id')).toBe('');
    expect(await page.inputValue('#api-key')).toBe('');
    expect(cspViolations).toEqual([]);
  });

  it('renders the typed HTML/CSS at the chosen viewport and shows the image, its URL and a working curl command', async () => {
    await page.fill('#api-id', TEST_KEYS.id);
    await page.fill('#api-key', TEST_KEYS.key);
    await page.fill('#html', '<div class="box"></div>');
    await page.fill('#css', '.box { position: fixed; inset: 0; background: #12a4d9; }');
    await page.fill('#viewport_width', '320');
    await page.fill('#viewport_height', '200');
    await page.fill('#device_scale', '1');
    await page.click('#render');
    await page.waitForFunction(() => {
      const img = document.getElementById('preview') as HTMLImageElement;
      return img.className === 'shown' && img.complete && img.naturalWidth > 0;
    });
    const size = await page.$eval('#preview', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    expect(size).toEqual([320, 200]);
    expect(await page.textContent('#status')).toMatch(/320 × 200 px/);
    expect(await page.textContent('#error')).toBe('');

    const url = (await page.textContent('#image-url'))!;
    expect(url).toMatch(new RegExp(`^${base}/v1/image/[0-9a-f-]{36}$`));
    expect(await page.getAttribute('#image-url', 'href')).toBe(url);
    expect(await page.$eval('#preview', (img) => (img as HTMLImageElement).src)).toBe(url);
    const image = await fetchBytes(url);
    expect(sniffFormat(image)).toBe('png');
    const decoded = await decodeImage(image);
    expect([decoded.width, decoded.height]).toEqual([320, 200]);
    for (const [x, y] of [[0, 0], [160, 100], [319, 199]] as const) expect(decoded.pixel(x, y)).toEqual(COLOUR);

    await page.click('#copy-url');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    const curl = (await page.textContent('#curl'))!;
    expect(curl).toContain(`-u "${TEST_KEYS.id}:$PIXELFARM_API_KEY"`);
    expect(curl).toContain(`'${base}/v1/image'`);
    expect(curl).not.toContain(TEST_KEYS.key);
    const body = JSON.parse(/-d '([^']*)'/.exec(curl)![1]!) as Record<string, unknown>;
    expect(body).toEqual({ html: '<div class="box"></div>', css: '.box { position: fixed; inset: 0; background: #12a4d9; }', viewport_width: 320, viewport_height: 200, device_scale: 1 });
    await page.click('#copy-curl');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(curl);

    // The command is the same request: run it as a user would (with the key in the environment).
    const { stdout } = await run('sh', ['-c', curl.replace(/^curl /, 'curl -sS ')], { env: { ...process.env, PIXELFARM_API_KEY: TEST_KEYS.key } });
    const created = JSON.parse(stdout) as { id: string; url: string };
    expect(created.url).toMatch(new RegExp(`^${base}/v1/image/`));
    const again = await decodeImage(await fetchBytes(created.url));
    expect([again.width, again.height]).toEqual([320, 200]);
    expect(again.pixel(160, 100)).toEqual(COLOUR);
    expect(cspViolations).toEqual([]);
  });

  it('shows API errors readably: a validation message, then wrong credentials', async () => {
    await page.fill('#api-id', TEST_KEYS.id);
    await page.fill('#api-key', TEST_KEYS.key);
    await page.fill('#viewport_width', '999999');
    await page.click('#render');
    await page.waitForSelector('#error.shown');
    expect(await page.textContent('#error')).toMatch(/^400 Bad Request: viewport_width must be between 1 and \d+/);

    await page.fill('#viewport_width', '320');
    await page.fill('#api-key', 'not-the-key');
    await page.click('#render');
    await page.waitForFunction(() => /401/.test(document.getElementById('error')!.textContent ?? ''));
    expect(await page.textContent('#error')).toBe('401 Unauthorized: Invalid API id or API key\nCheck the API id and API key above.');
    expect(await page.isEnabled('#render')).toBe(true);
  });

  it('serves /docs: HTML naming every documented path, with a curl example, under a CSP', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'none'/);
    const html = await res.text();
    const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        expect(html).toContain(`<span class="m ${method}">${method.toUpperCase()}</span>${escaped(path)}</h3>`);
      }
    }
    expect(html).toContain(escaped(`-u "$API_ID:$API_KEY"`));
    expect(html).toContain(`${escaped(base)}/v1/image`);
    // Field types and limits come from the schema.
    expect(html).toMatch(/<code>viewport_width<\/code><\/td><td>integer<\/td><td>1 to 6,000<\/td>/);
    await page.goto(`${base}/docs`);
    expect(await page.title()).toBe('pixelfarm API reference');
    expect(cspViolations).toEqual([]);
  });

  it('prefills the public development pair only when the server runs with it (API_KEYS unset)', async () => {
    const env = testEnv();
    delete env.API_KEYS;
    const dev = createApiApp(loadConfig(env), createLogger('test', 'silent'));
    // Closing BullMQ connections while they still initialise emits an unhandled error (a BullMQ
    // race this test is not about): let them come up first.
    await dev.ready();
    try {
      const html = (await request(dev.handler).get('/')).text;
      expect(html).toContain('id="api-id" name="api-id" type="text" value="dev"');
      expect(html).toContain('value="dev-secret-change-me"');
      expect(html).toContain('id="dev-notice"');
    } finally {
      await dev.close();
    }
    expect((await request(stack.api.handler).get('/')).text).not.toContain('dev-notice');
  });
});
