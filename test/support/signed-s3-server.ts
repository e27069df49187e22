// A customer's S3 server for storage destination tests: s3rver (test/support/s3-server.ts) behind
// a process that checks AWS Signature Version 4 (s3-sigv4-gate.js), each a real server process
// on loopback. s3rver alone takes any secret access key with a known key id; behind the gate a
// wrong secret is refused with 403 SignatureDoesNotMatch, as S3 refuses it.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startS3Server, type TestS3Server } from './s3-server';

/** A request the gate answered: its method, path (/bucket/key, still percent-encoded) and status. */
export interface GateRequest {
  method: string;
  path: string;
  status: number;
}

export interface SignedS3Server extends TestS3Server {
  /** s3rver itself, behind the gate (to stop the store while the gate still answers, or to read it directly). */
  store: TestS3Server;
  /** Every request the gate has answered, in order. */
  requests: GateRequest[];
}

export interface SignedS3ServerOptions {
  bucket?: string;
  /** Methods answered with 403 AccessDenied, e.g. ['DELETE'] for credentials that may only write. */
  deny?: string[];
}

/** Starts s3rver and its gate; the secret access key is a random one of this server's. */
export async function startSignedS3Server(options: SignedS3ServerOptions = {}): Promise<SignedS3Server> {
  const store = await startS3Server({ bucket: options.bucket });
  const credentials = { accessKeyId: store.accessKeyId, secretAccessKey: `customer-${randomBytes(12).toString('hex')}` };
  const gate = fork(path.join(__dirname, 's3-sigv4-gate.js'), [JSON.stringify({ upstreamPort: store.port, credentials, deny: options.deny ?? [] })], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const requests: GateRequest[] = [];
  gate.on('message', (m: { request?: GateRequest }) => m.request && requests.push(m.request));
  let stderr = '';
  gate.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => gate.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    gate.once('message', (m: { port?: number; error?: string }) => (m.port ? resolve(m.port) : reject(new Error(`the SigV4 gate did not start: ${m.error}`))));
    gate.once('exit', (code) => reject(new Error(`the SigV4 gate exited with ${code} before listening: ${stderr}`)));
  }).catch(async (err) => {
    await store.stop();
    throw err;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    ...store,
    store,
    requests,
    endpoint,
    port,
    ...credentials,
    env: { ...store.env, S3_ENDPOINT: endpoint, S3_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    async stop() {
      if (gate.exitCode === null && gate.signalCode === null) {
        gate.send('stop');
        await exited;
      }
      await store.stop();
    },
  };
}
