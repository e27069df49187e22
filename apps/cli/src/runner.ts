// A bulk run: input lines → bounded-concurrency create + download → files and manifest entries.
// Two passes over the input: the first counts lines and settles file names (so resumed runs
// name files alike), the second renders. Lines already done in the manifest are skipped.
import fs from 'node:fs';
import path from 'node:path';
import type { BulkCommand } from './args';
import { removeStaleTemp, writeFileAtomic } from './atomic-write';
import { CREATE_IMAGE_FIELDS } from './create-fields';
import { AbortedError, FatalError, RequestError } from './errors';
import type { PixelfarmClient } from './http-client';
import { readInput, type InputRecord } from './input';
import { ManifestWriter, readManifest, type ManifestEntry } from './manifest';
import { OutputNamer } from './output-name';
import type { Progress } from './progress';

export const MANIFEST_FILE = 'manifest.jsonl';

export interface RunSummary {
  total: number;
  done: number;
  skipped: number;
  failed: number;
  retries: number;
  elapsedMs: number;
  /** Images rendered per second in this run. */
  rate: number;
  /** Stopped by a signal: lines in flight were neither done nor failed. */
  interrupted: boolean;
}

export interface RunnerDeps {
  client: Pick<PixelfarmClient, 'createImage' | 'download'>;
  progress: Progress;
}

export async function runBulk(cmd: BulkCommand, deps: RunnerDeps, signal: AbortSignal): Promise<RunSummary> {
  const { client, progress } = deps;
  try {
    await fs.promises.mkdir(cmd.outDir, { recursive: true });
  } catch (err) {
    throw new FatalError(`cannot create output directory ${cmd.outDir}: ${(err as Error).message}`);
  }
  const manifestPath = path.join(cmd.outDir, MANIFEST_FILE);
  const previous = readManifest(manifestPath);
  // A torn last line (a kill mid-append) is expected and ignored; anything else is worth a word.
  for (const n of previous.unreadable) progress.log(`warning: ${manifestPath} line ${n} is not a manifest entry; ignored`);
  await removeStaleTemp(cmd.outDir);

  const isDone = (line: number): boolean => {
    const entry = previous.entries.get(line);
    // "done" is only trusted while its file is there: a deleted image is rendered again.
    return entry?.status === 'done' && entry.file !== null && fs.existsSync(path.join(cmd.outDir, entry.file));
  };

  // Pass 1: how many lines, how wide the line numbers, which names are shared.
  const namer = new OutputNamer({ nameColumn: cmd.nameColumn, format: cmd.format });
  let total = 0;
  let alreadyDone = 0;
  for await (const rec of readInput(cmd.input, cmd.inputFormat)) {
    total++;
    namer.observe(rec.line, 'fields' in rec ? rec.fields : undefined);
    if (isDone(rec.line)) alreadyDone++;
  }

  progress.info(
    `rendering ${total - alreadyDone} of ${total} lines from ${cmd.input} into ${cmd.outDir}` +
      `${alreadyDone ? ` (${alreadyDone} already done)` : ''}, ${cmd.concurrency} at a time`,
  );
  const manifest = await ManifestWriter.open(manifestPath);
  const stop = new AbortController();
  const runSignal = AbortSignal.any([signal, stop.signal]);
  let fatal: Error | undefined;
  progress.start(total);

  const fail = async (entry: ManifestEntry): Promise<void> => {
    await manifest.append(entry);
    progress.failed();
    progress.log(`line ${entry.line}: ${entry.error}`);
  };

  const renderLine = async (line: number, fields: Record<string, unknown>): Promise<void> => {
    const { name, file } = namer.nameFor(line, fields);
    let id: string | null = null;
    try {
      const created = await client.createImage(requestBody(fields, cmd), runSignal);
      id = created.id;
      const data = await client.download(created.url, namer.formatOf(fields), runSignal);
      // The file first, then the manifest: "done" in the manifest always means the file exists.
      await writeFileAtomic(path.join(cmd.outDir, file), data);
      await manifest.append({ line, name, id, file, status: 'done' });
      progress.done();
    } catch (err) {
      if (err instanceof AbortedError || runSignal.aborted) return;
      if (err instanceof RequestError) {
        await fail({ line, name, id, file: null, status: 'failed', error: err.message });
        return;
      }
      // Rejected credentials, a full disk, a bug: every other line would fail the same way.
      throw err;
    }
  };

  const inFlight = new Set<Promise<void>>();
  const launch = (task: () => Promise<void>): void => {
    const p = task()
      .catch((err: unknown) => {
        fatal ??= err instanceof Error ? err : new Error(String(err));
        stop.abort();
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  try {
    for await (const rec of readInput(cmd.input, cmd.inputFormat)) {
      if (runSignal.aborted) break;
      if (isDone(rec.line)) {
        progress.skipped();
        continue;
      }
      while (inFlight.size >= cmd.concurrency) await Promise.race(inFlight);
      if (runSignal.aborted) break;
      launch(() => (isRecordError(rec) ? fail(badLine(rec, namer)) : renderLine(rec.line, rec.fields)));
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
    progress.stop();
    await manifest.close();
  }
  if (fatal) throw fatal;

  const s = progress.snapshot();
  // Images made per second; the progress rate also counts failures, because the ETA needs them.
  const rate = s.elapsedMs > 0 ? s.done / (s.elapsedMs / 1000) : 0;
  return { total, done: s.done, skipped: s.skipped, failed: s.failed, retries: s.retries, elapsedMs: s.elapsedMs, rate, interrupted: signal.aborted };
}

/** --css/-W/-H/--device-scale under the line's own fields; a name-only column is not sent. */
export function requestBody(fields: Record<string, unknown>, cmd: Pick<BulkCommand, 'defaults' | 'nameColumn'>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...cmd.defaults, ...fields };
  if (cmd.nameColumn && !CREATE_IMAGE_FIELDS.has(cmd.nameColumn)) delete body[cmd.nameColumn];
  return body;
}

function isRecordError(rec: InputRecord): rec is { line: number; error: string } {
  return 'error' in rec;
}

function badLine(rec: { line: number; error: string }, namer: OutputNamer): ManifestEntry {
  return { line: rec.line, name: namer.nameFor(rec.line, {}).name, id: null, file: null, status: 'failed', error: `bad input line: ${rec.error}` };
}
