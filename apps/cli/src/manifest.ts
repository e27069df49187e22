// The output manifest (<outdir>/manifest.jsonl): one JSON line per finished line of the input,
// appended and fsync'd one at a time, so a run killed at any moment loses at most the lines
// that were in flight. The last entry of a line wins: a later "done" replaces an earlier "failed".
import fs from 'node:fs';

export interface ManifestEntry {
  /** Line of the input file (where a CSV record starts). */
  line: number;
  name: string;
  /** Image id on the server; null when the create itself failed. */
  id: string | null;
  /** File in the output directory; null when nothing was written. */
  file: string | null;
  status: 'done' | 'failed';
  error?: string;
}

export interface ManifestState {
  /** Last entry of each line. */
  entries: Map<number, ManifestEntry>;
  /** Lines that are not entries, other than a torn last line. */
  unreadable: number[];
  /** The last line is not an entry: a kill mid-append, expected and harmless. */
  tornTail: boolean;
}

export function readManifest(file: string): ManifestState {
  const entries = new Map<number, ManifestEntry>();
  const unreadable: number[] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries, unreadable, tornTail: false };
    throw err;
  }
  const lines = text.split('\n');
  let lastContent = 0;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    lastContent = i + 1;
    const entry = parseEntry(raw);
    if (entry) entries.set(entry.line, entry);
    else unreadable.push(i + 1);
  });
  const tornTail = unreadable.at(-1) === lastContent && lastContent > 0;
  if (tornTail) unreadable.pop();
  return { entries, unreadable, tornTail };
}

function parseEntry(raw: string): ManifestEntry | undefined {
  try {
    const v = JSON.parse(raw) as Partial<ManifestEntry>;
    if (typeof v !== 'object' || v === null) return undefined;
    if (!Number.isInteger(v.line) || (v.status !== 'done' && v.status !== 'failed')) return undefined;
    return {
      line: v.line!,
      name: String(v.name ?? ''),
      id: typeof v.id === 'string' ? v.id : null,
      file: typeof v.file === 'string' ? v.file : null,
      status: v.status,
      ...(typeof v.error === 'string' ? { error: v.error } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Appends entries one at a time, each on disk (fsync) before the next starts. */
export class ManifestWriter {
  private chain: Promise<void> = Promise.resolve();
  private closed?: Promise<void>;

  private constructor(private readonly handle: fs.promises.FileHandle) {}

  static async open(file: string): Promise<ManifestWriter> {
    const handle = await fs.promises.open(file, 'a');
    const { size } = await handle.stat();
    if (size > 0) {
      // A kill mid-write can leave a last line without its newline; the next entry must not
      // be glued onto it, or both would be unreadable.
      const last = Buffer.alloc(1);
      const read = await fs.promises.open(file, 'r');
      try {
        await read.read(last, 0, 1, size - 1);
      } finally {
        await read.close();
      }
      if (last[0] !== 0x0a) await handle.write('\n');
    }
    return new ManifestWriter(handle);
  }

  append(entry: ManifestEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error('manifest is closed'));
    const line = `${JSON.stringify(entry)}\n`;
    // One write per line on an O_APPEND descriptor, serialised: lines never interleave.
    const next = this.chain.then(async () => {
      await this.handle.write(line);
      // fdatasync: the bytes and the new length reach the disk; timestamps may lag.
      await this.handle.datasync();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Idempotent: waits for pending appends, then closes the file. */
  close(): Promise<void> {
    this.closed ??= this.chain.then(() => this.handle.close());
    return this.closed;
  }
}
