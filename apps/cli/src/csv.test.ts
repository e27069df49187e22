import { CsvParser, parseCsv, type CsvRecord } from './csv';

const fieldsOf = (records: CsvRecord[]) => records.map((r) => ('fields' in r ? r.fields : r.error));

describe('CSV parser (RFC 4180)', () => {
  it('splits plain records on LF, CRLF and CR, and numbers their lines', () => {
    expect(parseCsv('a,b\n1,2\r\n3,4\r5,6')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
      { line: 4, fields: ['5', '6'] },
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const recs = parseCsv('name,html\n"a, b","<p class=""x"">hi</p>"\n"multi\nline\r\nfield",z\nlast,"q"\n');
    expect(fieldsOf(recs)).toEqual([
      ['name', 'html'],
      ['a, b', '<p class="x">hi</p>'],
      ['multi\nline\r\nfield', 'z'],
      ['last', 'q'],
    ]);
    // A record's line is where it starts; the multi-line one moves the next line number on.
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 6]);
  });

  it('keeps empty fields, trailing commas and empty quoted fields', () => {
    expect(fieldsOf(parseCsv(',a,\n"",,""\n'))).toEqual([
      ['', 'a', ''],
      ['', '', ''],
    ]);
  });

  it('skips blank lines but counts them', () => {
    const recs = parseCsv('a\n\n\r\nb\n\n');
    expect(recs).toEqual([
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['b'] },
    ]);
  });

  it('keeps a stray quote inside an unquoted field as text', () => {
    expect(fieldsOf(parseCsv('5" disk,x\n'))).toEqual([['5" disk', 'x']]);
  });

  it('reports text after a closing quote on its line and carries on with the next record', () => {
    expect(parseCsv('"ab"c,d\nok,1\n')).toEqual([
      { line: 1, error: expect.stringMatching(/unexpected "c" after a closing quote/) },
      { line: 2, fields: ['ok', '1'] },
    ]);
  });

  it('reports an unclosed quote with the line it opened on', () => {
    expect(parseCsv('h\n"never closed\nmore\n')).toEqual([
      { line: 1, fields: ['h'] },
      { line: 2, error: expect.stringMatching(/unclosed quoted field \(opened on line 2/) },
    ]);
  });

  it('gives the same records whatever the chunk boundaries (CR LF and quotes split across chunks)', () => {
    const text = 'id,html\r\n1,"a ""q"" b"\r\n2,"x\r\ny"\r\n3,plain\r\n';
    const whole = parseCsv(text);
    for (let size = 1; size <= 7; size++) {
      const parser = new CsvParser();
      const recs: CsvRecord[] = [];
      for (let i = 0; i < text.length; i += size) recs.push(...parser.push(text.slice(i, i + size)));
      recs.push(...parser.end());
      expect(recs).toEqual(whole);
    }
    expect(fieldsOf(whole)).toEqual([['id', 'html'], ['1', 'a "q" b'], ['2', 'x\r\ny'], ['3', 'plain']]);
  });
});
