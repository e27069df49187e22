// The real validators the deployment tests run: promtool (Debian's `prometheus` package) and a
// compose implementation's own `config` command (Debian's `docker-compose`), found on PATH.
import { spawnSync } from 'node:child_process';

export interface ToolRun {
  status: number | null;
  /** stdout and stderr together, for assertions and failure messages. */
  output: string;
}

/** Where each tool comes from, for the message when it is missing. */
const SOURCES: Record<string, string> = {
  promtool: "apt-get install prometheus (Debian's package ships promtool)",
  'docker-compose': 'apt-get install docker-compose',
};

/** Runs `bin args` (no shell); throws, naming the package to install, when bin is not installed. */
export function runTool(bin: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ToolRun {
  const res = spawnSync(bin, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8' });
  if (res.error && (res.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${bin} is not installed: ${SOURCES[bin] ?? `install ${bin}`}`);
  }
  return { status: res.status, output: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}
