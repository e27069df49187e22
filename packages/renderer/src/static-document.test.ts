import { isStaticDocument, isStaticRequest, mayScrollItself } from './static-document';

describe('isStaticDocument', () => {
  it('takes plain HTML and CSS as static', () => {
    expect(isStaticDocument('<div class="card" style="color:red">Hello, online = yes</div>', '.card{font-size:40px}')).toBe(true);
    expect(isStaticDocument('<html><head><meta charset="utf-8"><link rel="stylesheet" href="https://example.test/a.css"></head><body><img src="a.png"></body></html>')).toBe(true);
  });

  it.each([
    ['a script element', '<p>x</p><SCRIPT>1</SCRIPT>'],
    ['an event handler', '<img src=x onerror="1">'],
    ['a handler after a slash', '<svg/onload=1>'],
    ['a handler right after a quoted attribute', '<img src="x"onerror=1>'],
    ['a javascript: URL', '<a href="JavaScript:void 0">x</a>'],
    ['noscript (renders differently without scripting)', '<noscript>no js</noscript>'],
    ['an iframe', '<iframe src="https://example.test"></iframe>'],
    ['an object', '<object data="x.svg"></object>'],
    ['an embed', '<embed src="x.swf">'],
    ['a meta refresh', '<meta http-equiv="refresh" content="1;url=https://example.test">'],
    ['a referrer policy', '<meta name="referrer" content="no-referrer">'],
  ])('takes a document with %s as scripted', (_what, html) => {
    expect(isStaticDocument(html)).toBe(false);
  });

  it('stays linear on unclosed tags (an earlier pattern backtracked quadratically: minutes for MAX_HTML_CHARS)', () => {
    // A complexity guard, not a speed test: 200 KB took ~8 s with the quadratic pattern, ~2 ms now.
    const started = performance.now();
    expect(isStaticDocument('<a '.repeat(70_000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('looks at the CSS too', () => {
    expect(isStaticDocument('<p>x</p>', '@media (scripting: none) { p { color: red } }')).toBe(false);
  });
});

describe('isStaticRequest', () => {
  it('needs HTML, and no render_when_ready (which waits for a script)', () => {
    expect(isStaticRequest({ html: '<p>x</p>' })).toBe(true);
    expect(isStaticRequest({ html: '<p>x</p>', render_when_ready: true })).toBe(false);
    expect(isStaticRequest({ url: 'https://example.test' })).toBe(false);
  });
});

describe('mayScrollItself', () => {
  it('takes a card laid out with flexbox as staying put', () => {
    expect(mayScrollItself('<div style="display:flex;flex-direction:column;overflow:hidden">Hi</div>', '.a{flex-direction:row}')).toBe(false);
  });

  it.each([
    ['autofocus', '<input AUTOFOCUS>', ''],
    ['scroll snapping', '<p>x</p>', 'html{scroll-snap-type:y mandatory}'],
    ['an initial scroll target', '<p style="scroll-initial-target:nearest">x</p>', ''],
    ['a right-to-left root', '<html dir="rtl"><p>x</p></html>', ''],
    ['CSS direction', '<p>x</p>', 'html{direction:rtl}'],
    ['a vertical writing mode', '<p>x</p>', ':root{writing-mode:vertical-rl}'],
  ])('takes a document with %s as one that may', (_what, html, css) => {
    expect(mayScrollItself(html, css)).toBe(true);
  });
});
