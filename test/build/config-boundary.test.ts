// The configuration composes every package's fragment, yet loading it must load none of the
// domain code: the API would otherwise start Chromium's driver it never uses, and a fragment that
// imported its package's runtime would tie the bottom of the house to the rooms above it. Checked
// on the build `npm start` runs, in a process of its own so nothing else is loaded beforehand.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const DOMAIN = fs.readdirSync(path.join(ROOT, 'packages')).filter((p) => fs.existsSync(path.join(ROOT, 'packages', p, 'src', `${p}.config.ts`)));

/** The files a fresh node process has loaded after requiring `entry`, relative to the root. */
function loadedBy(entry: string): string[] {
  const out = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((f) => path.relative(ROOT, f));
}

describe('the configuration package', () => {
  it('knows fragments of the domain packages', () => {
    expect(DOMAIN).toEqual(expect.arrayContaining(['renderer', 'queue', 'storage', 'egress', 'destinations', 'schemas']));
  });

  it('loads each domain package through its /config entry only, and none of their libraries', () => {
    const loaded = loadedBy('@pixelfarm/config');
    const domainFiles = loaded.filter((f) => DOMAIN.some((p) => f.startsWith(`packages/${p}/`)));
    // Every fragment is loaded (config composes them all)...
    for (const p of DOMAIN) expect(domainFiles).toContain(`packages/${p}/dist/${p}.config.js`);
    // ...and no package's index, nor the libraries the domain code runs on.
    expect(domainFiles.filter((f) => f.endsWith('/dist/index.js'))).toEqual([]);
    const libraries = ['playwright-core', 'bullmq', 'ioredis', 'sharp', '@aws-sdk'];
    expect(loaded.filter((f) => libraries.some((l) => f.startsWith(`node_modules/${l}/`)))).toEqual([]);
  });

  // Node follows `main` (the test above shows it loading each fragment); TypeScript, whose
  // resolution here predates package exports, follows `types` when it builds packages/config.
  it.each(DOMAIN)('%s: its /config entry is the built fragment, for node and for TypeScript', (p) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', p, 'config', 'package.json'), 'utf8')) as { main: string; types: string };
    expect(manifest).toMatchObject({ main: `../dist/${p}.config.js`, types: `../dist/${p}.config.d.ts` });
  });
});

describe('the domain packages', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));

  it.each(fs.readdirSync(path.join(ROOT, 'packages')).filter((p) => p !== 'config'))('%s imports nothing from packages/config', (p) => {
    const importers = sources(path.join(ROOT, 'packages', p, 'src')).filter((f) => /from '@pixelfarm\/config'/.test(fs.readFileSync(f, 'utf8')));
    expect(importers.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});

describe('the API', () => {
  it('does not load Chromium’s driver', () => {
    expect(loadedBy('./apps/api/dist/app.js').filter((f) => f.startsWith('node_modules/playwright-core/'))).toEqual([]);
  });
});
