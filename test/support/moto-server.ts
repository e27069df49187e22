// AWS' IAM, STS and S3 on loopback: moto's server (`moto_server`, the Python package moto), for
// the code paths only AWS has, such as assuming a customer's IAM role. Setup requests run before
// `enforce()`; after it, moto checks every request's signature and the IAM policies of whoever
// signed it, so an S3 write signed with a role's temporary credentials is allowed only by that
// role's policy.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export interface MotoServer {
  endpoint: string;
  /** A query-API call to a service (iam, sts), unsigned: only before enforce(). */
  call(service: 'iam' | 'sts', params: Record<string, string>): Promise<string>;
  /** From now on, every request must be signed by known keys and allowed by their policies. */
  enforce(): Promise<void>;
  /** Back to no checks (to read what was written). */
  relax(): Promise<void>;
  /** Starts recording requests; `recorded()` returns their method, url and body. */
  record(): Promise<void>;
  recorded(): Promise<{ method: string; url: string; body: string }[]>;
  stop(): Promise<void>;
}

export function motoUnavailable(): string | null {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0 ? null : 'moto_server (pip install "moto[server]") is not installed';
}

export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // moto's recorder writes its file into the working directory: one of the test's own.
  const cwd = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'moto-'));
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    if (await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`moto_server did not answer: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = (path: string, body?: string) => fetch(`${endpoint}/moto-api/${path}`, { method: body === undefined ? 'GET' : 'POST', body }).then((r) => r.text());
  return {
    endpoint,
    async call(service, params) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          // moto finds the service from the credential scope.
          Authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: new URLSearchParams({ Version: service === 'iam' ? '2010-05-08' : '2011-06-15', ...params }).toString(),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${service} ${params.Action}: HTTP ${res.status} ${text}`);
      return text;
    },
    enforce: () => api('reset-auth', '0').then(() => {}),
    relax: () => api('reset-auth', '1000000').then(() => {}),
    async record() {
      await api('recorder/clear-recording', '');
      await api('recorder/start-recording', '');
    },
    async recorded() {
      const text = await api('recorder/download-recording');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { method: string; url: string; body: string; body_encoded?: boolean })
        .map((r) => ({ method: r.method, url: r.url, body: r.body_encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body }));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(cwd, { recursive: true, force: true });
    },
  };
}
