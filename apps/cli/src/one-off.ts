// A single render from flags: create, download, write the file (or stdout with -o -).
import fs from 'node:fs';
import path from 'node:path';
import type { OneOffCommand } from './args';
import { writeFileAtomic } from './atomic-write';
import type { PixelfarmClient } from './http-client';

export interface OneOffResult {
  id: string;
  url: string;
  /** Written file, or undefined when the image went to stdout. */
  file?: string;
}

export async function renderOne(
  cmd: OneOffCommand,
  client: Pick<PixelfarmClient, 'createImage' | 'download'>,
  stdout: { write(data: Uint8Array): unknown },
  signal: AbortSignal,
): Promise<OneOffResult> {
  const created = await client.createImage(cmd.body, signal);
  const data = await client.download(created.url, cmd.format, signal);
  if (cmd.output === '-') {
    stdout.write(data);
    return created;
  }
  const file = cmd.output ?? `${created.id}.${cmd.format}`;
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileAtomic(file, data);
  return { ...created, file };
}
