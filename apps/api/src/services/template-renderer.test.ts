import { ValidationError } from '@pixelfarm/errors';
import { TemplateRenderer } from './template-renderer';

describe('TemplateRenderer', () => {
  const renderer = new TemplateRenderer({ loopBudget: 1000, maxTags: 50 });

  it('escapes {{x}} and keeps {{{x}}} raw', () => {
    const values = { name: '<b>"Tom" & \'Jerry\'</b>' };
    expect(renderer.render('<p>{{name}}</p>', values, 'html')).toBe('<p>&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;</p>');
    expect(renderer.render('<p>{{{name}}}</p>', values, 'html')).toBe(`<p>${values.name}</p>`);
  });

  it('renders nested values, loops and conditionals; missing values are empty', () => {
    const out = renderer.render('{{a.b}}|{{#each xs}}[{{this}}]{{/each}}|{{#if flag}}yes{{else}}no{{/if}}|{{missing}}', { a: { b: 1 }, xs: [1, 2], flag: false }, 'html');
    expect(out).toBe('1|[1][2]|no|');
  });

  it('renders css without HTML escaping', () => {
    expect(renderer.render("p{font-family:'{{font}}'}", { font: "Open Sans" }, 'css', false)).toBe("p{font-family:'Open Sans'}");
    expect(renderer.render('p{content:"{{q}}"}', { q: "it's" }, 'css', false)).toBe('p{content:"it\'s"}');
  });

  it('rejects syntax errors, partials and decorators with a ValidationError naming the field', () => {
    expect(() => renderer.check('{{#each x}}', 'html')).toThrow(
      'html is not a valid Handlebars template: Parse error on line 1 near "{{#each x}}": unexpected end of the template (a block left open?)',
    );
    expect(() => renderer.check('<p>\n</p>x {{/if}}', 'html')).toThrow('Parse error on line 2 near "<p></p>x {{/if}}": unexpected closing tag {{/…}}');
    expect(() => renderer.check('{{#if a}}{{/each}}', 'css')).toThrow("css is not a valid Handlebars template: if doesn't match each - 1:3");
    expect(() => renderer.check('{{> header}}', 'html')).toThrow('html uses Handlebars partials, which templates do not support');
    expect(() => renderer.check('{{#*inline "p"}}{{> p}}{{/inline}}', 'html')).toThrow(ValidationError);
    expect(() => renderer.render('{{unknownHelper 1 2}}', {}, 'html')).toThrow(/html could not be rendered/);
    expect(() => renderer.render('{{log "into the server log"}}', {}, 'html')).toThrow(/html could not be rendered/);
  });

  it('refuses a source with more tags than maxTags before parsing it, whatever their nesting', () => {
    const nested = (n: number) => '{{#if a}}'.repeat(n) + 'x' + '{{/if}}'.repeat(n);
    expect(renderer.render(nested(25), { a: true }, 'html')).toBe('x'); // 50 tags: the limit itself
    expect(() => renderer.check(nested(26), 'html')).toThrow('html has more than 50 Handlebars tags ({{…}}), the most a template may hold');
    expect(() => renderer.check('{{a}}'.repeat(51), 'css')).toThrow(/css has more than 50 Handlebars tags/);
    // Unclosed blocks too: refused by the count, not by a parse error, which only came after the
    // parse's full cost (5,000 of these held Handlebars' parser for ~25 s).
    expect(() => renderer.check('{{#if a}}'.repeat(5000), 'html')).toThrow(/more than 50 Handlebars tags/);
    // {{{raw}}} counts once; text without tags costs nothing.
    expect(renderer.render('{{{a}}}'.repeat(50), { a: '<i>' }, 'html')).toBe('<i>'.repeat(50));
    expect(renderer.render('x'.repeat(100_000), {}, 'html')).toHaveLength(100_000);
  });

  it('stops nested-loop bombs at the loop budget', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    expect(() => renderer.render('{{#each xs}}{{#each ../xs}}{{#each ../../xs}}.{{/each}}{{/each}}{{/each}}', { xs }, 'html')).toThrow(
      'The template loops more than 1000 times',
    );
    // Block sections over arrays iterate too, through the same budget.
    expect(() => renderer.render('{{#xs}}{{#../xs}}.{{/../xs}}{{/xs}}', { xs }, 'html')).toThrow(/loops more than/);
    // The budget is per render, not per renderer.
    expect(renderer.render('{{#each xs}}.{{/each}}', { xs }, 'html')).toHaveLength(100);
  });
});
