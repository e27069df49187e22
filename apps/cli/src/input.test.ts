import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readInput, type InputRecord } from './input';
import { FatalError } from './errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixelfarm-cli-input-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function read(name: string, text: string, format: 'jsonl' | 'csv'): Promise<InputRecord[]> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const out: InputRecord[] = [];
  for await (const rec of readInput(file, format)) out.push(rec);
  return out;
}

describe('readInput', () => {
  it('reads JSON Lines, skipping blank lines, reporting bad ones by line number', async () => {
    const recs = await read('a.jsonl', '\ufeff{"html":"<b>1</b>"}\r\n\n{"html": oops}\n[1]\n"str"\n{"url":"https://a.example","viewport_width":10}\n', 'jsonl');
    expect(recs).toEqual([
      { line: 1, fields: { html: '<b>1</b>' } },
      { line: 3, error: expect.stringMatching(/^invalid JSON: /) },
      { line: 4, error: 'expected a JSON object of image fields, got an array' },
      { line: 5, error: 'expected a JSON object of image fields, got string' },
      { line: 6, fields: { url: 'https://a.example', viewport_width: 10 } },
    ]);
  });

  it('reads CSV rows as objects named by the header; empty cells are unset; wrong counts reported', async () => {
    const recs = await read('a.csv', '\ufeffname, html ,css\ncard-1,"<p>a, ""b""</p>",\n"two\nlines",<i>x</i>,p{}\nshort,row\n', 'csv');
    expect(recs).toEqual([
      { line: 2, fields: { name: 'card-1', html: '<p>a, "b"</p>' } },
      { line: 3, fields: { name: 'two\nlines', html: '<i>x</i>', css: 'p{}' } },
      { line: 5, error: 'expected 3 fields (name,html,css), found 2' },
    ]);
  });

  it('stops on a CSV header it cannot use, and on a missing file', async () => {
    await expect(read('dup.csv', 'html,html\nx,y\n', 'csv')).rejects.toThrow(/header names column "html" twice/);
    await expect(read('blank.csv', 'html,\nx,y\n', 'csv')).rejects.toThrow(/header column 2 has no name/);
    await expect(read('empty.csv', '', 'csv')).rejects.toThrow(FatalError);
    await expect(read('missing.jsonl', 'x', 'jsonl').then(() => readInput(path.join(dir, 'nope.jsonl'), 'jsonl').next())).rejects.toThrow(
      /cannot read input file .*nope.jsonl: ENOENT/,
    );
  });
});
