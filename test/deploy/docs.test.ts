// deploy/README.md and k8s/README.md as a new operator follows them (a reader must be able to
// follow them on a clean host and cluster with nothing missing): the repository paths they name
// exist, their `node scripts/…` commands run as written (build-images with --dry-run: no Docker
// engine here), the images a README builds before `kubectl apply -k <overlay>` are the images that
// overlay pulls, every REDIS_URL they show is one the apps accept, and every environment variable
// they name is read by the apps or set by the deployment files for another program.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENV_VARS, ROOT, loadConfig, read } from './support/app-facts';
import { parseDockerfile } from './support/dockerfile';
import { runTool } from './support/tools';

const DOCS = ['deploy/README.md', 'k8s/README.md'] as const;

/** The shell lines of a document's ```sh blocks: continuations joined, comments dropped. */
function shellLines(text: string): string[][] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((block) =>
    block[1]!
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter((line) => line.length > 0),
  );
}

/** A command line's words, as a POSIX shell splits them (quotes removed; no expansion needed here). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The commands of a line joined with && or ;, each as its words. */
const commands = (line: string): string[][] => line.split(/\s*(?:&&|;)\s*/).map(words);

/** `node scripts/<x>.mjs …` run from the repository root; build-images only prints (--dry-run). */
function runScript(args: string[]): { status: number; output: string } {
  const script = args[0]!;
  const extra = script === 'scripts/build-images.mjs' && !args.includes('--dry-run') ? ['--dry-run'] : [];
  try {
    return { status: 0, output: execFileSync(process.execPath, [...args, ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }).toString() };
  } catch (err) {
    const { status, stdout, stderr } = err as { status: number; stdout?: Buffer; stderr?: Buffer };
    return { status, output: `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}` };
  }
}

/** Every container image of a kustomize build, as kubectl renders it. */
function overlayImages(dir: string): string[] {
  const res = runTool('kubectl', ['kustomize', path.join(ROOT, dir)]);
  if (res.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${res.output}`);
  type Pods = { kind?: string; spec?: { template?: { spec?: { containers?: Array<{ image: string }> } } } };
  return parseAllDocuments(res.output)
    .map((d) => d.toJSON() as Pods)
    .flatMap((m) => m.spec?.template?.spec?.containers ?? [])
    .map((c) => c.image);
}

describe.each(DOCS)('%s, followed by a new operator', (doc) => {
  const text = read(doc);
  const blocks = shellLines(text);

  it('names repository paths that exist', () => {
    const bases = [ROOT, path.join(ROOT, path.dirname(doc)), path.join(ROOT, 'k8s', 'overlays', 'dev')];
    const named = [
      ...[...text.matchAll(/`((?:\.\.\/)*[a-z0-9_-]+(?:\/[\w.-]+)+\/?)`/g)].map((m) => m[1]!),
      // and the commands' files (`--from-file=deploy/….json`) and kustomizations (`-k k8s/overlays/dev`)
      ...blocks.flat().flatMap(words).flatMap((w) => /^(?:--[\w-]+=)?((?:[a-z0-9_-]+\/)+[\w-]+\.[a-z]+)$/.exec(w)?.[1] ?? []),
      ...blocks.flat().flatMap(commands).flatMap((c) => (c.includes('-k') ? [c[c.indexOf('-k') + 1]!] : [])),
    ];
    // A path is the repository's when its first folder is one of ours (minio/mc is an image).
    const head = (p: string) => p.split('/').slice(0, p.split('/').findIndex((s) => s !== '..') + 1).join('/');
    const missing = named.filter((p) => {
      const ours = bases.filter((b) => fs.existsSync(path.resolve(b, head(p))));
      return ours.length > 0 && !ours.some((b) => fs.existsSync(path.resolve(b, p)));
    });
    expect(named.length).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });

  it('runs its scripts/ commands as written', () => {
    const scripts = blocks.flat().flatMap(commands).filter((c) => c[0] === 'node' && c[1]?.startsWith('scripts/'));
    for (const [, ...args] of scripts) {
      expect(fs.existsSync(path.join(ROOT, args[0]!))).toBe(true);
      const res = runScript(args);
      expect({ command: args.join(' '), status: res.status }).toEqual({ command: args.join(' '), status: 0 });
    }
  });

  it('builds, before each `kubectl apply -k`, the images that overlay pulls', () => {
    const checked: string[] = [];
    for (const block of blocks) {
      const cmds = block.flatMap(commands);
      const apply = cmds.find((c) => c[0] === 'kubectl' && c.includes('apply') && c.includes('-k'));
      const build = cmds.find((c) => c[0] === 'node' && c[1] === 'scripts/build-images.mjs');
      if (!apply || !build) continue;
      const dir = apply[apply.indexOf('-k') + 1]!;
      const built = [...runScript(build.slice(1)).output.matchAll(/ -t (\S+)/g)].map((m) => m[1]!);
      const pulled = overlayImages(dir).filter((image) => /\/pixelfarm\/(api|worker):/.test(image));
      expect({ dir, images: [...new Set(pulled)].sort() }).toEqual({ dir, images: built.sort() });
      checked.push(dir);
    }
    if (/kubectl apply -k/.test(text)) expect(checked.length).toBeGreaterThan(0);
  });

  it('shows REDIS_URL values the apps accept', () => {
    const urls = [...text.matchAll(/REDIS_URL=("?)([a-z-]+:\/\/[^`"\s]*(?: [^`"\s]*>[^`"\s]*)?)\1/g)].map((m) => m[2]!);
    for (const url of urls) {
      // Placeholders (<password>, <primary name>) and shell variables stand for real values.
      const value = url.replace(/<[^>]+>/g, 'x').replace(/\$\{?\w+\}?/g, 'x').replace(/…/g, 'x');
      const prefix = value.startsWith('redis-cluster') || value.startsWith('rediss-cluster') ? '{pixelfarm}' : 'pixelfarm';
      expect(() => loadConfig({ REDIS_URL: value, REDIS_PREFIX: prefix })).not.toThrow();
    }
    if (doc === 'k8s/README.md') expect(urls.length).toBeGreaterThanOrEqual(4);
  });

  it('names only environment variables the apps read, or ones the deployment files set for another program', () => {
    const compose = read('docker-compose.yml');
    const others = new Set<string>([
      // compose's own variables, and what it sets for Redis, SeaweedFS, Prometheus and Grafana
      ...[...compose.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!),
      ...[...compose.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!),
      // what the images set (NODE_ENV, MALLOC_ARENA_MAX)
      ...parseDockerfile(read('Dockerfile')).stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1]!))),
      // what the Kubernetes components set for Redis and the object store
      ...fs.readdirSync(path.join(ROOT, 'k8s', 'components')).flatMap((c) =>
        fs.readdirSync(path.join(ROOT, 'k8s', 'components', c)).flatMap((f) => [...read(`k8s/components/${c}/${f}`).matchAll(/- name: ([A-Z][A-Z0-9_]+)$/gm)].map((m) => m[1]!)),
      ),
    ]);
    const named = [...new Set([...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0]))];
    expect(named.filter((n) => !ENV_VARS.includes(n) && !others.has(n))).toEqual([]);
  });
});
