// The CLI as a function: arguments and environment in, exit status out. main.ts only wires
// the process (signals, streams, exit code) around it.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from './args';
import { FatalError, RequestError, UsageError } from './errors';
import { MAIN_HELP, RENDER_HELP } from './help';
import { PixelfarmClient } from './http-client';
import { renderOne } from './one-off';
import { Progress, formatDuration, type ProgressStream } from './progress';
import { runBulk, MANIFEST_FILE, type RunSummary } from './runner';

export interface CliIo {
  stdout: { write(data: string | Uint8Array): unknown };
  stderr: ProgressStream;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export async function runCli(argv: string[], env: Record<string, string | undefined>, io: CliIo, signal: AbortSignal): Promise<number> {
  const err = (msg: string) => io.stderr.write(`pixelfarm: ${msg}\n`);
  try {
    const cmd = parseArgs(argv, env);
    if (cmd.kind === 'help') {
      io.stdout.write(cmd.topic === 'render' ? RENDER_HELP : MAIN_HELP);
      return EXIT.ok;
    }
    if (cmd.kind === 'version') {
      io.stdout.write(`pixelfarm ${version()}\n`);
      return EXIT.ok;
    }

    const progress = new Progress({ stream: io.stderr, enabled: !cmd.quiet && cmd.kind === 'bulk' });
    const client = new PixelfarmClient({
      connection: cmd.connection,
      retries: cmd.retries,
      timeoutMs: cmd.timeoutMs,
      onRetry: () => progress.retried(),
    });

    if (cmd.kind === 'one') {
      try {
        const result = await renderOne(cmd, client, io.stdout, signal);
        if (result.file) io.stdout.write(`${result.file}\n`);
        return EXIT.ok;
      } catch (e) {
        if (e instanceof RequestError) {
          err(e.message);
          return EXIT.failed;
        }
        throw e;
      }
    }

    const summary = await runBulk(cmd, { client, progress }, signal);
    io.stdout.write(`${summaryLine(summary)}\n`);
    if (summary.failed > 0) {
      err(`${summary.failed} line${summary.failed === 1 ? '' : 's'} failed; errors are in ${path.join(cmd.outDir, MANIFEST_FILE)}. Run the same command again to retry them.`);
    }
    if (summary.interrupted) err('interrupted: run the same command again to resume.');
    return summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } catch (e) {
    if (signal.aborted) return EXIT.failed;
    if (e instanceof UsageError) {
      err(`${e.message}\nTry 'pixelfarm render --help'.`);
      return EXIT.usage;
    }
    if (e instanceof FatalError) {
      err(e.message);
      return EXIT.usage;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code) {
      // File system errors (ENOSPC, EACCES, EROFS) stop the run: every other line would hit them too.
      err((e as Error).message);
      return EXIT.usage;
    }
    throw e;
  }
}

export function summaryLine(s: RunSummary): string {
  const secs = s.elapsedMs / 1000;
  return (
    `${s.interrupted ? 'interrupted: ' : ''}${s.done} done, ${s.skipped} skipped, ${s.failed} failed of ${s.total} lines ` +
    `in ${secs < 60 ? `${secs.toFixed(1)} s` : formatDuration(s.elapsedMs)} (${s.rate.toFixed(1)} renders/s, ${s.retries} ${s.retries === 1 ? 'retry' : 'retries'})`
  );
}

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
