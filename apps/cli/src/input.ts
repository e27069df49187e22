// Input files → one record per request: JSON Lines (one object a line) or CSV (a header row
// names the fields). Streams, so a file is never held in memory; a bad line becomes a record
// with an error and its line number instead of stopping the run.
import fs from 'node:fs';
import readline from 'node:readline';
import type { InputFormat } from './args';
import { CsvParser } from './csv';
import { FatalError } from './errors';

export type InputRecord = { line: number; fields: Record<string, unknown> } | { line: number; error: string };

export function readInput(file: string, format: InputFormat): AsyncGenerator<InputRecord> {
  return format === 'csv' ? readCsv(file) : readJsonl(file);
}

function open(file: string): fs.ReadStream {
  // Checked first so a missing or unreadable file is one clear message, not a stream error event.
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new FatalError(`cannot read input file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return fs.createReadStream(file, { encoding: 'utf8' });
}

async function* readJsonl(file: string): AsyncGenerator<InputRecord> {
  const stream = open(file);
  try {
    yield* jsonlRecords(readline.createInterface({ input: stream, crlfDelay: Infinity }));
  } finally {
    // A run that stops early (^C, a fatal error) leaves the loop mid-file: release the descriptor.
    stream.destroy();
  }
}

async function* jsonlRecords(lines: readline.Interface): AsyncGenerator<InputRecord> {
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = (line === 1 ? stripBom(raw) : raw).trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { line, error: `invalid JSON: ${(err as Error).message}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, error: `expected a JSON object of image fields, got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'null' : typeof value}` };
      continue;
    }
    yield { line, fields: value as Record<string, unknown> };
  }
}

async function* readCsv(file: string): AsyncGenerator<InputRecord> {
  const parser = new CsvParser();
  let header: string[] | undefined;
  let first = true;
  const convert = function* (records: ReturnType<CsvParser['push']>): Generator<InputRecord> {
    for (const rec of records) {
      if ('error' in rec) {
        if (!header) throw new FatalError(`${file} line ${rec.line}: the header row is not valid CSV: ${rec.error}`);
        yield rec;
        continue;
      }
      if (!header) {
        header = checkHeader(file, rec.line, rec.fields);
        continue;
      }
      if (rec.fields.length !== header.length) {
        yield { line: rec.line, error: `expected ${header.length} fields (${header.join(',')}), found ${rec.fields.length}` };
        continue;
      }
      // CSV has no "absent": an empty cell means the field is not set, not set to "".
      const fields: Record<string, unknown> = {};
      header.forEach((name, i) => {
        if (rec.fields[i] !== '') fields[name] = rec.fields[i];
      });
      yield { line: rec.line, fields };
    }
  };
  const stream = open(file);
  try {
    for await (const chunk of stream) {
      let text = chunk as string;
      if (first) {
        text = stripBom(text);
        first = false;
      }
      yield* convert(parser.push(text));
    }
  } finally {
    stream.destroy();
  }
  yield* convert(parser.end());
  if (!header) throw new FatalError(`${file} is empty: a CSV input needs a header row naming the fields`);
}

function checkHeader(file: string, line: number, names: string[]): string[] {
  const header = names.map((n) => n.trim());
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '') throw new FatalError(`${file} line ${line}: header column ${i + 1} has no name`);
    if (seen.has(name)) throw new FatalError(`${file} line ${line}: header names column "${name}" twice`);
    seen.add(name);
  });
  return header;
}

function stripBom(text: string): string {
  // Spreadsheets save "CSV UTF-8" with a byte order mark that would otherwise join the first field name.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
