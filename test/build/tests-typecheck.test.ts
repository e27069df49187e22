// Jest compiles each test file alone (ts-jest, isolatedModules): a test that builds a package's
// options without a field the type requires still runs, with that field undefined, and tests
// something other than what it says. The build type-checks the packages' code only; this
// type-checks the tests against the sources, with tsconfig.tests.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

describe('the tests', () => {
  it('map every package’s /config entry to its source, as jest does', () => {
    const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.tests.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
    const withFragment = fs.readdirSync(path.join(ROOT, 'packages')).filter((p) => fs.existsSync(path.join(ROOT, 'packages', p, 'src', `${p}.config.ts`)));
    expect(withFragment.length).toBeGreaterThan(5);
    for (const p of withFragment) expect(compilerOptions.paths[`@pixelfarm/${p}/config`]).toEqual([`packages/${p}/src/${p}.config.ts`]);
  });

  it('type-check against the code they test', () => {
    let output = '';
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.tests.json'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  }, 180_000);
});
