// The Dockerfile, proven without a Docker engine: each target's inherited instructions give the
// image its LTS Node base, build steps, system packages, init, user, port, health check and
// command, and those match what the apps read and serve.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CHROMIUM_PATH, ENV_VARS, PORTS, ROOT, loadConfig, probePaths, read, runtimeImports, sourceFiles } from './support/app-facts';
import { type Instruction, execForm, instructionsOf, parseDockerfile, stageChain } from './support/dockerfile';

const file = parseDockerfile(read('Dockerfile'));
const TARGETS = { api: PORTS.api, worker: PORTS.worker } as const;
type Target = keyof typeof TARGETS;

const runs = (list: Instruction[]) => list.filter((i) => i.keyword === 'RUN').map((i) => i.args);
/** Packages named by `apt-get install` in these RUN instructions. */
const aptPackages = (list: Instruction[]) =>
  runs(list).flatMap((run) => [...run.matchAll(/apt-get install ([^&;]*)/g)].flatMap((m) => m[1]!.split(/\s+/).filter((w) => w && !w.startsWith('-'))));
/** ENV instructions as one map (`K=V` pairs; later ones win). */
const envOf = (list: Instruction[]) =>
  Object.fromEntries(list.filter((i) => i.keyword === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')])));
const last = (list: Instruction[], keyword: string) => list.filter((i) => i.keyword === keyword).pop();

describe('Dockerfile', () => {
  it('builds on a Debian slim image of an even (LTS) Node release no older than the engines field', () => {
    const image = file.args.NODE_IMAGE!;
    const [, major, debian] = /^node:(\d+)-(bookworm|trixie)-slim$/.exec(image) ?? [];
    expect({ image, lts: Number(major) % 2 === 0 }).toEqual({ image, lts: true });
    const engines = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(Number(major)).toBeGreaterThanOrEqual(Number(/\d+/.exec(engines.engines.node)![0]));
    expect(debian).toBeDefined();
    for (const target of Object.keys(TARGETS)) expect(stageChain(file, target)[0]!.from).toBe(image);
  });

  it('builds in its own stage with npm ci and tsc -b, and prunes dev dependencies', () => {
    const build = file.stages.find((s) => s.name === 'build')!;
    const script = runs(build.instructions).join(' && ');
    expect(script).toMatch(/npm ci\b/);
    expect(script).toMatch(/tsc -b\b/);
    expect(script).toMatch(/npm prune --omit=dev\b/);
    // Everything tsc -b reads is in the build context and copied in.
    const copied = build.instructions.filter((i) => i.keyword === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'packages', 'apps']) expect(copied).toContain(needed);
    const refs = (JSON.parse(read('tsconfig.json')) as { references: Array<{ path: string }> }).references.map((r) => r.path.split('/')[0]);
    for (const top of refs) expect(copied).toContain(top);
    // The dependencies install from the manifests alone, before any source is copied: a code change
    // reuses the installed layer.
    const ci = build.instructions.findIndex((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args));
    const firstSource = build.instructions.findIndex((i) => i.keyword === 'COPY' && /^(packages|apps|tsconfig)/.test(i.args));
    expect(ci).toBeGreaterThan(-1);
    expect(ci).toBeLessThan(firstSource);
    expect(build.instructions.slice(0, ci).map((i) => `${i.keyword} ${i.args}`)).toEqual(['WORKDIR /app', 'COPY package.json package-lock.json ./', 'COPY --from=manifests /app ./']);
    const manifests = file.stages.find((s) => s.name === 'manifests')!;
    expect(runs(manifests.instructions)).toEqual(['find packages apps -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +']);
    for (const target of Object.keys(TARGETS)) {
      const fromBuild = instructionsOf(file, target).filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build'));
      expect(fromBuild.map((i) => i.args.split(/\s+/)[1])).toEqual(expect.arrayContaining(['/app/node_modules', '/app/packages', '/app/apps']));
    }
  });

  it('keeps dependencies, build output and secrets out of the build context, and nothing the build needs', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', '**/.env*']));
    const glob = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}$`);
    const sources = file.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of sources) expect({ source, ignored: ignored.some((p) => glob(p).test(source)) }).toEqual({ source, ignored: false });
  });

  it('ships every package the apps import at run time as a production dependency (npm prune keeps it)', () => {
    // The scan sees real imports (a sanity check of the scanner itself).
    expect(runtimeImports(read('apps/api/src/app.ts'))).toEqual(expect.arrayContaining(['express', '@pixelfarm/queue']));
    expect(runtimeImports("import type { A } from 'only-types';\nimport {\n  b,\n} from '@scope/pkg/sub';\nimport fs from 'node:fs';")).toEqual(['@scope/pkg']);
    for (const source of sourceFiles()) {
      const workspace = source.split(path.sep).slice(0, 2).join('/');
      const deps = Object.keys((JSON.parse(read(`${workspace}/package.json`)) as { dependencies?: Record<string, string> }).dependencies ?? {});
      for (const pkg of runtimeImports(read(source))) expect({ source, pkg, declared: deps.includes(pkg) }).toEqual({ source, pkg, declared: true });
    }
  });

  it('installs tini in both images, and Chromium with the fonts in the worker, CJK included', () => {
    const browser = ['chromium', 'fonts-noto-core', 'fonts-noto-cjk', 'fonts-noto-color-emoji', 'fonts-liberation'];
    for (const target of Object.keys(TARGETS) as Target[]) {
      const packages = aptPackages(instructionsOf(file, target));
      expect(packages).toContain('tini');
      if (target === 'worker') expect(packages).toEqual(expect.arrayContaining(browser));
      else for (const p of browser) expect(packages).not.toContain(p);
      expect(execForm(last(instructionsOf(file, target), 'ENTRYPOINT')!.args)).toEqual(['/usr/bin/tini', '--']);
    }
  });

  it.each(Object.keys(TARGETS) as Target[])('%s: runs as a non-root user with only env the app (or glibc) reads', (target) => {
    const list = instructionsOf(file, target);
    const user = last(list, 'USER')!.args;
    expect(['root', '0']).not.toContain(user.split(':')[0]);
    // Nothing runs as root after the switch.
    expect(list.slice(list.lastIndexOf(last(list, 'USER')!)).some((i) => i.keyword === 'RUN')).toBe(false);
    const env = envOf(list);
    expect(env.MALLOC_ARENA_MAX).toBe('2');
    for (const key of Object.keys(env)) if (key !== 'MALLOC_ARENA_MAX') expect(ENV_VARS).toContain(key);
    expect(() => loadConfig(env)).not.toThrow();
    if (target === 'worker') expect(env.CHROMIUM_PATH).toBe(DEFAULT_CHROMIUM_PATH);
  });

  it.each(Object.keys(TARGETS) as Target[])('%s: exposes its port, health-checks /healthz there and starts the built main.js', (target) => {
    const list = instructionsOf(file, target);
    expect(last(list, 'EXPOSE')!.args).toBe(String(TARGETS[target]));
    const check = execForm(last(list, 'HEALTHCHECK')!.args.replace(/^.*?CMD\s+/, ''))!.join(' ');
    const [, variable, fallback, probe] = /process\.env\.(\w+)\|\|(\d+)\)\+'(\/\w+)'/.exec(check) ?? [];
    expect(variable).toBe(target === 'api' ? 'PORT' : 'WORKER_PORT');
    expect(ENV_VARS).toContain(variable);
    expect(Number(fallback)).toBe(TARGETS[target]);
    expect(probe).toBe('/healthz');
    expect(probePaths()).toContain(probe);
    const cmd = execForm(last(list, 'CMD')!.args)!;
    expect(cmd).toEqual(['node', `apps/${target}/dist/main.js`]);
    // tsc emits src/main.ts to dist/main.js (rootDir src, outDir dist).
    const tsconfig = JSON.parse(read(`apps/${target}/tsconfig.json`)) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(fs.existsSync(path.join(ROOT, 'apps', target, 'src', 'main.ts'))).toBe(true);
  });
});
