#!/usr/bin/env node
// Process entry of the `pixelfarm` command: signals, streams and the exit status only.
import { runCli } from './cli';

const controller = new AbortController();
let signalled: NodeJS.Signals | undefined;

function onSignal(signal: NodeJS.Signals): void {
  if (signalled) {
    // A second ^C means now: the manifest already holds every finished line.
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  signalled = signal;
  process.stderr.write(`\npixelfarm: ${signal}: stopping; lines in flight are left for the next run (again to quit at once)\n`);
  controller.abort();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }, controller.signal).then(
  (code) => {
    process.exitCode = signalled ? (signalled === 'SIGINT' ? 130 : 143) : code;
  },
  (err: unknown) => {
    process.stderr.write(`pixelfarm: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
