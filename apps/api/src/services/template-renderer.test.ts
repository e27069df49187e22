import { ValidationError } from '@pixelfarm/errors';
import { TemplateRenderer, type StoredTemplateField } from './template-renderer';

const options = { loopBudget: 1000, maxTags: 50, cacheEntries: 100, cacheBytes: 1024 * 1024 };
let nextVersion = 1;
/** A stored version of its own per call, so that tests do not share compiled templates. */
const stored = (source: string, field: 'html' | 'css' = 'html', version = nextVersion++): StoredTemplateField => ({
  account: 'acc',
  templateId: 't-1',
  version,
  field,
  source,
});

describe('TemplateRenderer', () => {
  const renderer = new TemplateRenderer(options);
  const render = (source: string, values: Record<string, unknown>, field: 'html' | 'css' = 'html', escape = true) =>
    renderer.render(stored(source, field), values, escape);

  it('names the top-level variables a source reads, not Handlebars\' own data or block-local names', () => {
    const names = renderer.variables('{{title}} {{{raw}}} {{author.name}} {{#each tags}}{{this}}{{@index}}{{/each}} {{#if width}}w{{/if}}');
    expect([...names].sort()).toEqual(['author', 'raw', 'tags', 'title', 'width']);
  });

  it('escapes {{x}} and keeps {{{x}}} raw', () => {
    const values = { name: '<b>"Tom" & \'Jerry\'</b>' };
    expect(render('<p>{{name}}</p>', values, 'html')).toBe('<p>&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;</p>');
    expect(render('<p>{{{name}}}</p>', values, 'html')).toBe(`<p>${values.name}</p>`);
  });

  it('renders nested values, loops and conditionals; missing values are empty', () => {
    const out = render('{{a.b}}|{{#each xs}}[{{this}}]{{/each}}|{{#if flag}}yes{{else}}no{{/if}}|{{missing}}', { a: { b: 1 }, xs: [1, 2], flag: false }, 'html');
    expect(out).toBe('1|[1][2]|no|');
  });

  it('renders css without HTML escaping', () => {
    expect(render("p{font-family:'{{font}}'}", { font: "Open Sans" }, 'css', false)).toBe("p{font-family:'Open Sans'}");
    expect(render('p{content:"{{q}}"}', { q: "it's" }, 'css', false)).toBe('p{content:"it\'s"}');
  });

  it('rejects syntax errors, partials and decorators with a ValidationError naming the field', () => {
    expect(() => renderer.check('{{#each x}}', 'html')).toThrow(
      'html is not a valid Handlebars template: Parse error on line 1 near "{{#each x}}": unexpected end of the template (a block left open?)',
    );
    expect(() => renderer.check('<p>\n</p>x {{/if}}', 'html')).toThrow('Parse error on line 2 near "<p></p>x {{/if}}": unexpected closing tag {{/…}}');
    expect(() => renderer.check('{{#if a}}{{/each}}', 'css')).toThrow("css is not a valid Handlebars template: if doesn't match each - 1:3");
    expect(() => renderer.check('{{> header}}', 'html')).toThrow('html uses Handlebars partials, which templates do not support');
    expect(() => renderer.check('{{#*inline "p"}}{{> p}}{{/inline}}', 'html')).toThrow(ValidationError);
    expect(() => render('{{unknownHelper 1 2}}', {}, 'html')).toThrow(/html could not be rendered/);
    expect(() => render('{{log "into the server log"}}', {}, 'html')).toThrow(/html could not be rendered/);
  });

  it('refuses a source with more tags than maxTags before parsing it, whatever their nesting', () => {
    const nested = (n: number) => '{{#if a}}'.repeat(n) + 'x' + '{{/if}}'.repeat(n);
    expect(render(nested(25), { a: true }, 'html')).toBe('x'); // 50 tags: the limit itself
    expect(() => renderer.check(nested(26), 'html')).toThrow('html has more than 50 Handlebars tags ({{…}}), the most a template may hold');
    expect(() => renderer.check('{{a}}'.repeat(51), 'css')).toThrow(/css has more than 50 Handlebars tags/);
    // Unclosed blocks too: refused by the count, not by a parse error, which only came after the
    // parse's full cost (5,000 of these held Handlebars' parser for ~25 s).
    expect(() => renderer.check('{{#if a}}'.repeat(5000), 'html')).toThrow(/more than 50 Handlebars tags/);
    // {{{raw}}} counts once; text without tags costs nothing.
    expect(render('{{{a}}}'.repeat(50), { a: '<i>' }, 'html')).toBe('<i>'.repeat(50));
    expect(render('x'.repeat(100_000), {}, 'html')).toHaveLength(100_000);
  });

  it('stops nested-loop bombs at the loop budget', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    expect(() => render('{{#each xs}}{{#each ../xs}}{{#each ../../xs}}.{{/each}}{{/each}}{{/each}}', { xs }, 'html')).toThrow(
      'The template loops more than 1000 times',
    );
    // Block sections over arrays iterate too, through the same budget.
    expect(() => render('{{#xs}}{{#../xs}}.{{/../xs}}{{/xs}}', { xs }, 'html')).toThrow(/loops more than/);
    // The budget is per render, not per renderer.
    expect(render('{{#each xs}}.{{/each}}', { xs }, 'html')).toHaveLength(100);
  });

  describe('compiled-template cache', () => {
    /** Counts Handlebars compilations (parse + compile) of a renderer. */
    const counted = (renderer: TemplateRenderer) => jest.spyOn(renderer['hbs'], 'compile');

    it('compiles a stored version once, however many items render it', () => {
      const cached = new TemplateRenderer(options);
      const compiles = counted(cached);
      const card = stored('<h1>{{title}}</h1>');
      for (let i = 0; i < 1000; i++) expect(cached.render(card, { title: `#${i}` })).toBe(`<h1>#${i}</h1>`);
      expect(compiles).toHaveBeenCalledTimes(1);
    });

    it('keys by account, template, version, field and escaping', () => {
      const cached = new TemplateRenderer(options);
      const compiles = counted(cached);
      const base = stored('<b>{{x}}</b>', 'html', 1);
      const variants: StoredTemplateField[] = [base, { ...base, version: 2, source: '<i>{{x}}</i>' }, { ...base, field: 'css' }, { ...base, account: 'other' }, { ...base, templateId: 't-2' }];
      expect(variants.map((t) => cached.render(t, { x: '&' }))).toEqual(['<b>&amp;</b>', '<i>&amp;</i>', '<b>&amp;</b>', '<b>&amp;</b>', '<b>&amp;</b>']);
      expect(cached.render(base, { x: '&' }, false)).toBe('<b>&</b>');
      expect(compiles).toHaveBeenCalledTimes(6);
      variants.forEach((t) => cached.render(t, { x: 1 }));
      cached.render(base, { x: 1 }, false);
      expect(compiles).toHaveBeenCalledTimes(6);
    });

    it('is bounded in entries and in bytes', () => {
      const few = new TemplateRenderer({ ...options, cacheEntries: 2 });
      const compiles = counted(few);
      const [a, b, c] = [stored('a{{x}}'), stored('b{{x}}'), stored('c{{x}}')];
      for (const t of [a, b, c, a]) few.render(t, {});
      // a was the least recently used when c came in, so it was compiled again.
      expect(compiles).toHaveBeenCalledTimes(4);

      const small = new TemplateRenderer({ ...options, cacheBytes: 1024 });
      const smallCompiles = counted(small);
      const big = stored(`${'x'.repeat(2000)}{{x}}`);
      small.render(big, { x: 1 });
      small.render(big, { x: 2 });
      // Larger than the whole budget: rendered, never kept.
      expect(smallCompiles).toHaveBeenCalledTimes(2);
    });

    it('compiles on every render when turned off (TEMPLATE_CACHE_ENTRIES=0)', () => {
      const off = new TemplateRenderer({ ...options, cacheEntries: 0 });
      const compiles = counted(off);
      const card = stored('{{x}}');
      off.render(card, { x: 1 });
      off.render(card, { x: 2 });
      expect(compiles).toHaveBeenCalledTimes(2);
    });

    it('does not check a stored source again when it renders: it was checked when saved', () => {
      const check = jest.spyOn(renderer, 'check');
      expect(render('{{a}}'.repeat(60), { a: 1 })).toBe('1'.repeat(60)); // more tags than maxTags
      expect(check).not.toHaveBeenCalled();
    });

    it('gives a failing render its own error each time, cached or not', () => {
      const card = stored('{{unknownHelper 1}}');
      expect(() => renderer.render(card, {})).toThrow('html could not be rendered: Missing helper: "unknownHelper"');
      expect(() => renderer.render(card, {})).toThrow('html could not be rendered: Missing helper: "unknownHelper"');
    });
  });
});
