// Output file names: from a column (sanitized) or the zero-padded line number, plus the
// format's extension. Names are decided from the whole input (two passes), so a resumed run
// gives every line the same file as the first run did.
import type { ImageFormat } from './args';
import { normalizeFormat } from './args';

const MAX_NAME = 120;

/**
 * A name safe on every common filesystem: letters, digits, `.`, `_`, `-` only (so no path
 * separators, `..`, control characters or shell surprises), no leading dot (hidden files and
 * our temporary files start with one), at most 120 characters. Empty when nothing is left.
 */
export function sanitizeName(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, MAX_NAME)
    .replace(/[._]+$/g, '');
}

export class OutputNamer {
  /** Pass 1: each line's name from the column ('' when none). */
  private readonly bases = new Map<number, string>();
  /** Every line's final name, settled once pass 1 is over. */
  private names?: Map<number, string>;

  constructor(
    private readonly opts: { nameColumn?: string; format: ImageFormat },
  ) {}

  /** Pass 1: sees every record, so padding and shared names are known before any file is named. */
  observe(line: number, fields?: Record<string, unknown>): void {
    this.bases.set(line, fields ? this.fromColumn(fields) : '');
  }

  /** The image format of a line: its own `format` field when valid, else --format. */
  formatOf(fields: Record<string, unknown>): ImageFormat {
    return (typeof fields.format === 'string' && normalizeFormat(fields.format)) || this.opts.format;
  }

  /** Pass 2: the name and file of a line seen in pass 1. */
  nameFor(line: number, fields: Record<string, unknown>): { name: string; file: string } {
    this.names ??= this.settle();
    const name = this.names.get(line) ?? String(line);
    return { name, file: `${name}.${this.formatOf(fields)}` };
  }

  /**
   * A name shared by several lines (compared without case, for macOS and Windows filesystems)
   * gets `-<line>` on every one of them, so the result does not depend on which line finished
   * first; lines without a name get their zero-padded number. Should a final name still meet
   * another ("dup", "dup" and "dup-2"; a name "7" and line 7), later lines take `-<line>` until
   * free: no line may overwrite another's file.
   */
  private settle(): Map<number, string> {
    const key = (name: string) => name.toLowerCase();
    const counts = new Map<string, number>();
    for (const base of this.bases.values()) if (base) counts.set(key(base), (counts.get(key(base)) ?? 0) + 1);
    const lines = [...this.bases.keys()].sort((a, b) => a - b);
    const width = String(lines.at(-1) ?? 0).length;
    const names = new Map<number, string>();
    const taken = new Set<string>();
    for (const line of lines) {
      const base = this.bases.get(line)!;
      let name = !base ? String(line).padStart(width, '0') : counts.get(key(base))! > 1 ? `${base}-${line}` : base;
      while (taken.has(key(name))) name = `${name}-${line}`;
      taken.add(key(name));
      names.set(line, name);
    }
    return names;
  }

  private fromColumn(fields: Record<string, unknown>): string {
    const col = this.opts.nameColumn;
    if (!col) return '';
    const value = fields[col];
    if (value === undefined || value === null || typeof value === 'object') return '';
    let name = sanitizeName(String(value));
    // "card.png" named by a column of file names should not become card.png.png.
    const ext = /\.(png|jpe?g|webp|pdf)$/i.exec(name);
    if (ext && normalizeFormat(ext[1]!) === this.formatOf(fields)) name = name.slice(0, -ext[0].length);
    return name;
  }
}
