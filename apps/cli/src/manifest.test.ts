import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManifestWriter, readManifest, type ManifestEntry } from './manifest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixelfarm-cli-manifest-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(dir, `m${++n}.jsonl`);

const done = (line: number): ManifestEntry => ({ line, name: String(line), id: `id-${line}`, file: `${line}.png`, status: 'done' });
const failed = (line: number, error = 'HTTP 400: html is too long'): ManifestEntry => ({ line, name: String(line), id: null, file: null, status: 'failed', error });

describe('manifest', () => {
  it('reads nothing from a missing file', () => {
    expect(readManifest(path.join(dir, 'absent.jsonl'))).toEqual({ entries: new Map(), unreadable: [], tornTail: false });
  });

  it('round-trips entries; the last entry of a line wins', async () => {
    const file = fresh();
    const writer = await ManifestWriter.open(file);
    await Promise.all([writer.append(failed(2)), writer.append(done(1)), writer.append(done(3))]);
    await writer.append(done(2));
    await writer.close();
    await writer.close();
    const { entries, unreadable } = readManifest(file);
    expect(unreadable).toEqual([]);
    expect([...entries.keys()].sort()).toEqual([1, 2, 3]);
    expect(entries.get(2)).toEqual(done(2));
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(5);
    await expect(writer.append(done(9))).rejects.toThrow(/closed/);
  });

  it('keeps failed entries with their error, so a re-run knows to retry them', async () => {
    const file = fresh();
    const writer = await ManifestWriter.open(file);
    await writer.append(failed(5, 'HTTP 422: nope'));
    await writer.close();
    expect(readManifest(file).entries.get(5)).toEqual(failed(5, 'HTTP 422: nope'));
  });

  it('survives a line torn by a kill: it is skipped, and the next run starts on a fresh line', async () => {
    const file = fresh();
    fs.writeFileSync(file, `${JSON.stringify(done(1))}\n${JSON.stringify(done(2)).slice(0, 20)}`);
    expect(readManifest(file)).toEqual({ entries: new Map([[1, done(1)]]), unreadable: [], tornTail: true });
    const writer = await ManifestWriter.open(file);
    await writer.append(done(2));
    await writer.close();
    const after = readManifest(file);
    // The torn line is now in the middle: still ignored, and reported as unexpected.
    expect(after).toMatchObject({ unreadable: [2], tornTail: false });
    expect([...after.entries.values()]).toEqual([done(1), done(2)]);
  });

  it('ignores lines that are JSON but not entries', () => {
    const file = fresh();
    fs.writeFileSync(file, `{"line":"x","status":"done"}\n{"line":4,"status":"maybe"}\n[]\n${JSON.stringify(done(7))}\n`);
    const { entries, unreadable } = readManifest(file);
    expect([...entries.keys()]).toEqual([7]);
    expect(unreadable).toEqual([1, 2, 3]);
    expect(readManifest(file).tornTail).toBe(false);
  });
});
