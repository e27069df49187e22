import { OutputNamer, sanitizeName } from './output-name';

describe('sanitizeName', () => {
  it.each([
    ['Hello World!', 'Hello_World'],
    ['../../etc/passwd', 'etc_passwd'],
    ['.hidden', 'hidden'],
    ['café crème', 'cafe_creme'],
    ['a\u0000b\nc', 'a_b_c'],
    ['C:\\Users\\x', 'C_Users_x'],
    ['ok-name_1.v2', 'ok-name_1.v2'],
    ['///', ''],
    ['x'.repeat(300), 'x'.repeat(120)],
  ])('%j → %j', (raw, safe) => {
    expect(sanitizeName(raw)).toBe(safe);
  });
});

describe('OutputNamer', () => {
  it('pads line numbers to the width of the last line', () => {
    const namer = new OutputNamer({ format: 'png' });
    for (let line = 1; line <= 120; line++) namer.observe(line, {});
    expect(namer.nameFor(7, {})).toEqual({ name: '007', file: '007.png' });
    expect(namer.nameFor(120, { format: 'webp' })).toEqual({ name: '120', file: '120.webp' });
  });

  it('names by a column, falling back to the line when the value is missing, and suffixes shared names', () => {
    const namer = new OutputNamer({ nameColumn: 'slug', format: 'jpg' });
    const rows: Array<[number, Record<string, unknown>]> = [
      [2, { slug: 'Intro Card' }],
      [3, { slug: 'dup' }],
      [4, { slug: 'DUP' }],
      [5, {}],
      [6, { slug: 'photo.JPG' }],
      [12, { slug: '../..' }],
    ];
    for (const [line, fields] of rows) namer.observe(line, fields);
    expect(rows.map(([line, fields]) => namer.nameFor(line, fields).file)).toEqual([
      'Intro_Card.jpg',
      'dup-3.jpg',
      'DUP-4.jpg',
      '05.jpg',
      'photo.jpg',
      '12.jpg',
    ]);
  });

  it('never gives two lines one file, even when a suffixed or numbered name meets a given one', () => {
    const namer = new OutputNamer({ nameColumn: 'slug', format: 'png' });
    const rows: Array<[number, Record<string, unknown>]> = [
      [1, { slug: 'dup' }],
      [2, { slug: 'dup' }],
      [3, { slug: 'dup-2' }],
      [4, { slug: '5' }],
      [5, {}],
    ];
    for (const [line, fields] of rows) namer.observe(line, fields);
    expect(rows.map(([line, fields]) => namer.nameFor(line, fields).file)).toEqual(['dup-1.png', 'dup-2.png', 'dup-2-3.png', '5.png', '5-5.png']);
  });
});
