import { mayLoadWebFonts } from './page-document';

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
