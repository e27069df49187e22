import { buildDocument, mayLoadWebFonts } from './page-document';

describe('mayLoadWebFonts', () => {
  it('is false for markup and CSS that only use installed fonts', () => {
    expect(mayLoadWebFonts('<p style="font-family:Liberation Sans">x</p>', 'p{font-weight:700}')).toBe(false);
  });

  it.each([
    ['an @font-face rule in the HTML', '<style>@font-face{font-family:X;src:url(x.woff2)}</style>', ''],
    ['an @font-face rule in the CSS', '<p>x</p>', '@font-face{font-family:X;src:url(x.woff2)}'],
    ['an imported stylesheet', '<p>x</p>', '@import url(https://example.test/a.css);'],
    ['a linked stylesheet', '<LINK rel="stylesheet" href="https://example.test/a.css"><p>x</p>', ''],
  ])('is true with %s', (_what, html, css) => {
    expect(mayLoadWebFonts(html, css)).toBe(true);
  });

  it('is true with google_fonts', () => {
    expect(mayLoadWebFonts('<p>x</p>', '', 'Roboto')).toBe(true);
  });
});

describe('buildDocument', () => {
  it('wraps a snippet in a page with the base and extra CSS', () => {
    const doc = buildDocument('<p>x</p>', 'p{color:red}');
    expect(doc).toMatch(/^<!DOCTYPE html><html><head><meta charset="utf-8"><style>html\{font-family:[^<]+<\/style><style>p\{color:red\}<\/style><\/head><body><p>x<\/p><\/body><\/html>$/);
  });

  it('puts the styles first in an existing head, after its attributes', () => {
    const doc = buildDocument('<html lang="en"><HEAD data-x="1"><title>t</title></head><body><header>h</header></body></html>', 'b{}');
    expect(doc.startsWith('<html lang="en"><HEAD data-x="1"><meta charset="utf-8"><style>')).toBe(true);
    expect(doc).toContain('<style>b{}</style><title>t</title>');
    expect(doc.match(/<meta charset/g)).toHaveLength(1);
  });

  it('adds a head after <html> when there is none', () => {
    expect(buildDocument('<html class="a"><body>x</body></html>').startsWith('<html class="a"><head><style>')).toBe(true);
  });

  it('leaves a document with no tag to attach to as it is', () => {
    expect(buildDocument('<body>x')).toBe('<body>x');
    expect(buildDocument('<html ')).toBe('<html ');
  });

  it('stays linear on many unclosed head tags (the regex it replaced took minutes for MAX_HTML_CHARS)', () => {
    // A complexity guard, not a speed test: 120 KB took ~2 s before, ~1 ms now.
    const started = performance.now();
    const html = `<html ${'<head '.repeat(20_000)}`;
    expect(buildDocument(html)).toBe(html);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
