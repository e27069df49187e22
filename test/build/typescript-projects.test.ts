// `npm start` and `npm test` build with `tsc -b`, which skips a project whose build info says it
// is up to date. That file must live in the project's dist/: kept outside it, deleting a dist/
// left the project "built" with no output, and the apps failed at start on a missing module.
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

function parse(configPath: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`${configPath} did not parse`);
  return parsed;
}

describe('TypeScript projects', () => {
  const projects = (parse(path.join(ROOT, 'tsconfig.json')).projectReferences ?? []).map((r) => path.relative(ROOT, r.path));

  it('are all referenced from the root build', () => {
    expect(projects.length).toBeGreaterThanOrEqual(10);
    expect(projects).toEqual(expect.arrayContaining(['apps/api', 'apps/worker', 'packages/renderer']));
  });

  it.each(projects)('%s keeps its build info inside its output directory', (project) => {
    const { options } = parse(path.join(ROOT, project, 'tsconfig.json'));
    const outDir = path.join(ROOT, project, 'dist');
    expect(options.outDir).toBe(outDir);
    expect(options.tsBuildInfoFile).toBeDefined();
    expect(path.dirname(options.tsBuildInfoFile!)).toBe(outDir);
  });
});
