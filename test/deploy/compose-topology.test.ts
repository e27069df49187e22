// docker-compose.yml run as processes on loopback, to catch environment and port drift between
// the compose file and the code: Redis runs with the flags compose gives it, a local S3 server
// stands in for the store (holding compose's bucket), and the API and a worker run the commands
// of their Dockerfile targets with the environment compose and the image give them. Only
// addresses change: compose's service names and published ports are mapped to the local
// stand-ins' loopback ports (a variable the code does not read would leave its default in place,
// and the stack would not come up). Compose's own health checks decide when each is ready, and a
// render goes through the API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT, read } from './support/app-facts';
import { execForm, instructionsOf, parseDockerfile } from './support/dockerfile';
import { interpolate, publishedPort, readCompose } from './support/compose-file';
import { freePort } from '../support/ports';
import { startS3Server, type TestS3Server } from '../support/s3-server';
import { decodeImage } from '../support/decode-image';
// scripts/local-redis.cjs is CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pingRedis } = require('../../scripts/local-redis.cjs') as { pingRedis(host: string, port: number, timeoutMs?: number): Promise<boolean> };

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  build?: { target: string };
}

const compose = readCompose<{ services: Record<string, Service> }>();
const services = compose.services;
const dockerfile = parseDockerfile(read('Dockerfile'));

/** A process of the topology, with its output kept for failure messages. */
interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
}
function start(name: string, cmd: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { name, child, output: () => out };
}
function stop(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
    proc.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.child.kill('SIGTERM');
  });
}

/** Runs a compose health check (CMD or CMD-SHELL) as Docker would inside the container; resolves with its exit code. */
function runHealthcheck(test: string[], env: Record<string, string>): Promise<number | null> {
  const [kind, ...rest] = test;
  const [cmd, ...args] = kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : rest;
  const bin = cmd === 'node' ? process.execPath : cmd!;
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function untilHealthy(proc: Proc, test: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited early:\n${proc.output()}`);
    if ((await runHealthcheck(test, env)) === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name} never passed its compose health check ${JSON.stringify(test)}\n${proc.output()}`);
}

describe('the compose topology, run as processes', () => {
  let tmp: string;
  let redis: Proc | undefined;
  let s3: TestS3Server | undefined;
  const apps: Record<string, Proc> = {};
  /** compose `service:port` (and published `localhost:port`) → the loopback stand-in. */
  const addresses = new Map<string, string>();
  /** Rewrites a compose value's addresses to the stand-ins; fails on a host compose does not define. */
  const localise = (value: string): string =>
    value.replace(/\b(https?|rediss?):\/\/([^/:@\s]+@)?([a-z0-9.-]+):(\d+)/g, (url, scheme: string, auth: string | undefined, host: string, port: string) => {
      const local = addresses.get(`${host}:${port}`);
      if (!local) throw new Error(`${url} names ${host}:${port}, which is no compose service nor published port`);
      return `${scheme}://${auth ?? ''}${local}`;
    });
  /** What a container of an app service starts with: the image's ENV, then compose's environment, localised. */
  const appEnv = (name: string, overrides: Record<string, string>) => {
    const imageEnv = Object.fromEntries(
      instructionsOf(dockerfile, services[name]!.build!.target)
        .filter((i) => i.keyword === 'ENV')
        .flatMap((i) => [...i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')])),
    );
    const env = Object.fromEntries(Object.entries(services[name]!.environment!).map(([k, v]) => [k, localise(interpolate(String(v)))]));
    return { ...imageEnv, ...env, ...overrides };
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'compose-topology-'));
    // Redis with compose's own flags; only where it listens and keeps its files is local.
    const [bin, ...flags] = services.redis!.command!;
    const redisPort = await freePort();
    redis = start('redis', bin!, [...flags, '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', tmp], {});
    const deadline = Date.now() + 10_000;
    while (!(await pingRedis('127.0.0.1', redisPort, 200))) {
      if (Date.now() > deadline || redis.child.exitCode !== null) throw new Error(`redis-server did not start with compose's flags:\n${redis.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    addresses.set('redis:6379', `127.0.0.1:${redisPort}`);

    // The S3 store: a local S3 server holding compose's bucket, on the port compose's apps use.
    const bucket = /^-bucket=(.+)$/.exec(services.s3!.command!.map(interpolate).find((a) => a.startsWith('-bucket='))!)![1]!;
    s3 = await startS3Server({ bucket });
    const s3Endpoint = new URL(interpolate(services.api!.environment!.S3_ENDPOINT!));
    addresses.set(`${s3Endpoint.hostname}:${s3Endpoint.port}`, `127.0.0.1:${s3.port}`);

    // Each app on a free port; its published port maps there too (PUBLIC_URL names it). The
    // API's metrics port gets one of its own.
    for (const name of ['api', 'worker']) {
      const port = await freePort();
      for (const mapping of services[name]!.ports ?? []) addresses.set(`localhost:${publishedPort(mapping)}`, `127.0.0.1:${port}`);
      addresses.set(`${name}:${name === 'api' ? services.api!.environment!.PORT : services.worker!.environment!.WORKER_PORT}`, `127.0.0.1:${port}`);
    }
    addresses.set(`api:${services.api!.environment!.METRICS_PORT}`, `127.0.0.1:${await freePort()}`);
  });

  afterAll(async () => {
    await Promise.all(Object.values(apps).map(stop));
    await stop(redis);
    await s3?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('passes the S3 store’s compose health check against a store holding the bucket, with the apps’ keys', async () => {
    const check = services.s3!.healthcheck!.test.map((part) => interpolate(part).replace('127.0.0.1:8333', `127.0.0.1:${s3!.port}`));
    // The local server's keys stand in for compose's (it accepts only its own).
    const keys = { AWS_ACCESS_KEY_ID: s3!.accessKeyId, AWS_SECRET_ACCESS_KEY: s3!.secretAccessKey };
    expect(await runHealthcheck(check, keys)).toBe(0);
    expect(await runHealthcheck(check.map((p) => p.replace(`/${s3!.bucket}`, '/no-such-bucket')), keys)).not.toBe(0);
    expect(await runHealthcheck(check, { ...keys, AWS_ACCESS_KEY_ID: 'unknown-key' })).not.toBe(0);
  });

  it('starts the API and a worker with their image commands and compose environment, healthy by compose’s checks, and renders', async () => {
    // The local S3 server accepts only its own keys; everything else is compose's.
    const keys = { S3_ACCESS_KEY_ID: s3!.accessKeyId, S3_SECRET_ACCESS_KEY: s3!.secretAccessKey };
    for (const name of ['api', 'worker']) {
      const [cmd, ...args] = execForm(instructionsOf(dockerfile, services[name]!.build!.target).filter((i) => i.keyword === 'CMD').pop()!.args)!;
      expect(cmd).toBe('node');
      const port = addresses.get(`${name}:${name === 'api' ? services.api!.environment!.PORT : services.worker!.environment!.WORKER_PORT}`)!.split(':')[1]!;
      const metrics: Record<string, string> = name === 'api' ? { METRICS_PORT: addresses.get(`api:${services.api!.environment!.METRICS_PORT}`)!.split(':')[1]! } : {};
      const env = appEnv(name, { ...keys, ...metrics, [name === 'api' ? 'PORT' : 'WORKER_PORT']: port, HOST: '127.0.0.1' });
      apps[name] = start(name, process.execPath, args, env);
    }
    for (const name of ['api', 'worker']) {
      const published = services[name]!.environment![name === 'api' ? 'PORT' : 'WORKER_PORT'];
      const check = services[name]!.healthcheck!.test.map((p) => p.replace(`127.0.0.1:${published}`, addresses.get(`${name}:${published}`)!));
      expect(check.join(' ')).not.toContain(`:${published}/`);
      await untilHealthy(apps[name]!, check, {});
    }

    // A client of the published API port, with compose's default key pair.
    const apiUrl = `http://${addresses.get(`localhost:${publishedPort(services.api!.ports![0]!)}`)}`;
    const [user, key] = interpolate(services.api!.environment!.API_KEYS!).split(',')[0]!.split(':');
    const res = await fetch(`${apiUrl}/v1/image`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ html: '<div style="width:120px;height:40px;background:rgb(0,128,255)"></div>', device_scale: 1 }),
    });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    // PUBLIC_URL (compose's, localised) is where the image is served.
    expect(url.startsWith(`${apiUrl}/v1/image/`)).toBe(true);
    const image = await fetch(url);
    expect(image.status).toBe(200);
    const decoded = await decodeImage(Buffer.from(await image.arrayBuffer()));
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['png', 120, 40]);
    expect(decoded.pixel(60, 20)).toEqual([0, 128, 255, 255]);

    // Prometheus' scrape jobs reach the API and the worker on compose's ports and path: the
    // render is counted on both.
    const jobs = (parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string; metrics_path: string; dns_sd_configs: Array<{ names: string[]; port: number }> }> }).scrape_configs;
    const scrape = async (name: string) => {
      const job = jobs.find((j) => j.job_name === name)!;
      const target = addresses.get(`${job.dns_sd_configs[0]!.names[0]}:${job.dns_sd_configs[0]!.port}`)!;
      return (await fetch(`http://${target}${job.metrics_path}`)).text();
    };
    expect(await scrape('pixelfarm-api')).toMatch(/^pixelfarm_render_jobs_enqueued_total\{[^}]*\} 1$/m);
    const metrics = await scrape('pixelfarm-worker');
    expect(metrics).toMatch(/^pixelfarm_render_jobs_total\{outcome="completed"[^}]*\} 1$/m);
    // The worker runs with compose's sizing.
    expect(metrics).toMatch(new RegExp(`^pixelfarm_browser_pages\\{state="pool_size"[^}]*\\} ${2 * Number(services.worker!.environment!.WORKER_CONCURRENCY)}$`, 'm'));
  });

  it('stops the apps within compose’s grace periods on SIGTERM', async () => {
    const grace = (name: string) => Number(/^(\d+)s$/.exec((compose.services[name] as { stop_grace_period?: string }).stop_grace_period ?? '10s')![1]) * 1000;
    for (const name of ['api', 'worker']) {
      const proc = apps[name]!;
      const t0 = Date.now();
      const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
      proc.child.kill('SIGTERM');
      const code = await exited;
      expect({ name, code }).toEqual({ name, code: 0 });
      expect(Date.now() - t0).toBeLessThan(grace(name));
    }
  });
});
