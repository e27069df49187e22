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
  private readonly counts = new Map<string, number>();
  private maxLine = 0;

  constructor(
    private readonly opts: { nameColumn?: string; format: ImageFormat },
  ) {}

  /** Pass 1: sees every record so padding and duplicate names are known before any file is named. */
  observe(line: number, fields?: Record<string, unknown>): void {
    this.maxLine = Math.max(this.maxLine, line);
    const base = fields && this.fromColumn(fields);
    if (base) this.counts.set(base.toLowerCase(), (this.counts.get(base.toLowerCase()) ?? 0) + 1);
  }

  /** The image format of a line: its own `format` field when valid, else --format. */
  formatOf(fields: Record<string, unknown>): ImageFormat {
    return (typeof fields.format === 'string' && normalizeFormat(fields.format)) || this.opts.format;
  }

  /**
   * Pass 2: the base name and file of a line. A name shared by several lines (compared without
   * case, for macOS and Windows filesystems) gets `-<line>` on every one of them, so no line
   * overwrites another and the result does not depend on which line finished first.
   */
  nameFor(line: number, fields: Record<string, unknown>): { name: string; file: string } {
    let name = this.fromColumn(fields);
    if (name && (this.counts.get(name.toLowerCase()) ?? 0) > 1) name = `${name}-${line}`;
    name ||= String(line).padStart(String(this.maxLine).length, '0');
    return { name, file: `${name}.${this.formatOf(fields)}` };
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
