// A real S3-compatible HTTP server (s3rver) on loopback, with one bucket, for tests.
//
// It runs in a child process started with `--openssl-legacy-provider`: s3rver encrypts its
// ListObjectsV2 continuation tokens with single DES (lib/controllers/bucket.js), which OpenSSL 3
// keeps only in its legacy provider, so in Node 20's own process every truncated V2 listing
// failed with ERR_OSSL_EVP_UNSUPPORTED (a 500 from the server). The flag belongs to the test
// server alone; neither the test runner nor the services need the legacy ciphers.
import { fork } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestS3Server {
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Environment for loadConfig / child processes that makes them use this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(options: { port?: number; bucket?: string; directory?: string } = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'pixelfarm-test';
  const directory = options.directory ?? (await fs.mkdtemp(path.join(os.tmpdir(), 's3rver-')));
  const child = fork(path.join(__dirname, 's3rver-process.js'), [JSON.stringify({ port: options.port ?? 0, directory, configureBuckets: [{ name: bucket }] })], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number; error?: string }) => (m.port ? resolve(m.port) : reject(new Error(`s3rver did not start: ${m.error}`))));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening: ${stderr}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      // s3rver writes an object over the old file in place (lib/stores/filesystem.js), so a GET
      // streaming an original while the deferred re-encode rewrites it reads a torn file (the
      // multi-process test met it). S3 replaces an object atomically (readers keep the old
      // version), and so does the fs driver (a rename); on s3rver, encode inline.
      PNG_OPTIMIZE: 'inline',
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send('stop');
        await exited;
      }
      if (!options.directory) await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
