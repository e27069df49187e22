// Streaming CSV parser (RFC 4180): quoted fields may hold commas, doubled quotes and line
// breaks; records end at LF, CRLF or CR. Each record carries the physical line it starts on,
// so errors and output names point at the line an editor shows.

export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'skipLine';

export class CsvParser {
  private state: State = 'fieldStart';
  private field = '';
  private fields: string[] = [];
  /** Line the current record started on. */
  private recordLine = 1;
  private line = 1;
  /** Last character was CR: a following LF belongs to the same line break. */
  private afterCR = false;
  /** The record so far has content (a blank line is no record). */
  private started = false;
  private error = '';

  /** Feeds the next chunk of text; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.afterCR) {
        this.afterCR = false;
        if (c === '\n') {
          // CRLF is one line break; inside quotes it is kept as written.
          if (this.state === 'quoted') this.field += c;
          continue;
        }
      }
      this.step(c, out);
    }
    return out;
  }

  /** Ends the input; returns the last record, or the error of an unclosed quote. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.state === 'quoted') {
      out.push({ line: this.recordLine, error: `unclosed quoted field (opened on line ${this.recordLine}, runs to the end of the file)` });
    } else if (this.state === 'skipLine') {
      out.push({ line: this.recordLine, error: this.error });
    } else if (this.started) {
      this.fields.push(this.field);
      out.push({ line: this.recordLine, fields: this.fields });
    }
    this.reset();
    return out;
  }

  private step(c: string, out: CsvRecord[]): void {
    const lineBreak = c === '\n' || c === '\r';
    switch (this.state) {
      case 'fieldStart':
        if (c === '"') {
          this.state = 'quoted';
          this.started = true;
        } else if (c === ',') {
          this.fields.push('');
          this.started = true;
        } else if (lineBreak) {
          this.endRecord(c, out);
        } else {
          this.field = c;
          this.state = 'unquoted';
          this.started = true;
        }
        return;
      case 'unquoted':
        if (c === ',') this.endField();
        else if (lineBreak) this.endRecord(c, out);
        // A quote inside an unquoted field is kept as text, as spreadsheets write it.
        else this.field += c;
        return;
      case 'quoted':
        if (c === '"') this.state = 'quoteInQuoted';
        else {
          this.field += c;
          if (lineBreak) this.newLine(c);
        }
        return;
      case 'quoteInQuoted':
        if (c === '"') {
          this.field += '"';
          this.state = 'quoted';
        } else if (c === ',') this.endField();
        else if (lineBreak) this.endRecord(c, out);
        else {
          this.error = `unexpected ${JSON.stringify(c)} after a closing quote (write "" for a quote inside a quoted field)`;
          this.state = 'skipLine';
        }
        return;
      case 'skipLine':
        if (lineBreak) {
          out.push({ line: this.recordLine, error: this.error });
          this.newLine(c);
          this.reset();
        }
        return;
    }
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = 'fieldStart';
  }

  private endRecord(c: string, out: CsvRecord[]): void {
    if (this.started) {
      this.fields.push(this.field);
      out.push({ line: this.recordLine, fields: this.fields });
    }
    this.newLine(c);
    this.reset();
  }

  private newLine(c: string): void {
    this.line++;
    if (c === '\r') this.afterCR = true;
  }

  private reset(): void {
    this.state = 'fieldStart';
    this.field = '';
    this.fields = [];
    this.started = false;
    this.error = '';
    this.recordLine = this.line;
  }
}

/** Parses a whole string (tests and small inputs). */
export function parseCsv(text: string): CsvRecord[] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}
