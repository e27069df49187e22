// Every Redis probe of the manifests and the compose health check, run as written against a real
// redis-server in an error state: each must fail on an error reply (NOAUTH, WRONGPASS; LOADING
// while an AOF loads is the same kind of reply), not only when Redis does not answer at all.
// redis-cli exits 0 on an error reply unless given -e: the same command without it passes here.
import path from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { ROOT } from './support/app-facts';
import { find, kustomize } from './support/kustomize';
import { readCompose } from './support/compose-file';
import { freePort } from '../support/ports';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../../scripts/local-redis.cjs') as { startRedis(o: { port: number }): Promise<ChildProcess> };

type Probe = { exec?: { command: string[] } };
type RedisContainer = { name: string; startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe };
const PASSWORD = 'probe-test-password';

function probeCommands(): Array<[string, string[]]> {
  const commands: Array<[string, string[]]> = [];
  for (const overlay of ['dev', 'prod']) {
    const sts = find(kustomize(path.join(ROOT, 'k8s', 'overlays', overlay)).manifests, 'StatefulSet', 'redis') as unknown as { spec: { template: { spec: { containers: RedisContainer[] } } } };
    const c = sts.spec.template.spec.containers.find((x) => x.name === 'redis')!;
    for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) commands.push([`${overlay} ${kind}`, c[kind]!.exec!.command]);
  }
  const compose = readCompose<{ services: { redis: { healthcheck: { test: string[] } } } }>();
  const [form, ...command] = compose.services.redis.healthcheck.test;
  expect(form).toBe('CMD');
  commands.push(['compose healthcheck', command]);
  return commands;
}

describe('Redis probes', () => {
  let redis: ChildProcess;
  let port: number;
  const commands = probeCommands();
  /** Runs a probe's argv at this test's port (probes reach the default port inside their pod). */
  const run = (argv: string[], auth: string | undefined) => {
    const [bin, ...args] = argv;
    const env = { PATH: process.env.PATH ?? '', ...(auth === undefined ? {} : { REDISCLI_AUTH: auth }) };
    return spawnSync(bin!, ['-p', String(port), ...args], { env, encoding: 'utf8', timeout: 10_000 });
  };

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis({ port });
    expect(run(['redis-cli', 'config', 'set', 'requirepass', PASSWORD], undefined).stdout.trim()).toBe('OK');
  });

  afterAll(async () => {
    if (redis && redis.exitCode === null) {
      await new Promise((r) => {
        redis.once('exit', r);
        redis.kill('SIGTERM');
      });
    }
  });

  it.each(commands)('%s passes on PONG and fails on an error reply', (_name, command) => {
    expect(command[0]).toBe('redis-cli');
    expect(run(command, PASSWORD)).toMatchObject({ status: 0, stdout: 'PONG\n' });
    const noauth = run(command, undefined);
    expect(noauth.stdout + noauth.stderr).toMatch(/NOAUTH/);
    expect(noauth.status).not.toBe(0);
    const wrong = run(command, 'not-the-password');
    expect(wrong.stdout + wrong.stderr).toMatch(/WRONGPASS|NOAUTH/);
    expect(wrong.status).not.toBe(0);
  });

  it('would pass on the same error reply without -e', () => {
    const [name, command] = commands[0]!;
    expect({ name, e: command.includes('-e') }).toEqual({ name, e: true });
    const without = run(command.filter((a) => a !== '-e'), undefined);
    expect(without.stdout + without.stderr).toMatch(/NOAUTH/);
    expect(without.status).toBe(0);
  });
});
