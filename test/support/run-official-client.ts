// Runs calls through the official TypeScript client (official-client.mjs, an ES module, so in a
// child process) against the API at `base`, as the test account.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_KEYS } from './test-env';

export type ClientCall = Record<string, unknown>;
export type ClientResult = { success: boolean; id?: string; url?: string; images?: { id: string; url: string }[]; message?: string } & Record<string, unknown>;

export function runOfficialClient(base: string, calls: ClientCall[]): Promise<(ClientResult | string)[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'official-client.mjs')], {
      env: { PATH: process.env.PATH, API_BASE: base, API_ID: TEST_KEYS.id, API_KEY: TEST_KEYS.key },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify(calls));
  });
}
