// The only Handlebars user: checks template sources when they are saved and renders stored
// versions with values. `{{x}}` HTML-escapes the value, `{{{x}}}` inserts it raw, as the hosted
// API documents. Compiled templates are cached: a bulk job of 1,000 variations of one template
// compiles it once instead of parsing it twice and compiling it for every item, on the API's event loop.
import Handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';
import { ValidationError } from '@pixelfarm/errors';

export interface TemplateRendererOptions {
  /** Loop iterations one render may run in total (nested `{{#each}}` multiply). */
  loopBudget: number;
  /** Tags (`{{…}}`) one source may hold: Handlebars parses and compiles on the event loop. */
  maxTags: number;
  /** Compiled templates kept (TEMPLATE_CACHE_ENTRIES, default 1,000); 0 turns the cache off. */
  cacheEntries: number;
  /** UTF-8 bytes of the sources of the compiled templates kept (TEMPLATE_CACHE_BYTES, default 32 MB). */
  cacheBytes: number;
}

/**
 * One stored template version's field. Versions never change once saved, so the compiled
 * function of (account, id, version, field, escaping) can be kept for as long as there is room.
 */
export interface StoredTemplateField {
  account: string;
  templateId: string;
  version: number;
  /** `html` or `css`: names the field in errors, and the two compile to different functions. */
  field: 'html' | 'css';
  source: string;
}

type Compiled = (values: Record<string, unknown>) => string;

interface CacheEntry {
  compiled: Compiled;
  /** UTF-8 size of the source: the compiled code grows with it. */
  bytes: number;
}

// Partials can call each other recursively or fan out exponentially without any loop, and
// decorators run arbitrary registered code: neither is part of the templates we accept.
const FORBIDDEN_NODES: Record<string, string> = {
  PartialStatement: 'partials',
  PartialBlockStatement: 'partials',
  DecoratorBlock: 'decorators',
  Decorator: 'decorators',
};

export class TemplateRenderer {
  private readonly hbs: typeof Handlebars;
  /** Iterations left in the render under way (renders are synchronous, so one counter suffices). */
  private remaining = 0;
  private readonly cache?: LRUCache<string, CacheEntry>;

  constructor(private readonly options: TemplateRendererOptions) {
    if (options.cacheEntries > 0) {
      // A source larger than the whole byte budget is compiled for its render but not kept.
      this.cache = new LRUCache<string, CacheEntry>({ max: options.cacheEntries, maxSize: options.cacheBytes, sizeCalculation: (entry) => entry.bytes });
    }
    // An isolated environment: helpers registered here never leak into another Handlebars user.
    this.hbs = Handlebars.create();
    // {{log}} would let any template write to the service's console.
    this.hbs.unregisterHelper('log');
    const each = this.hbs.helpers.each!;
    const spend = (n: number) => {
      this.remaining -= n;
      if (this.remaining < 0) throw new ValidationError(`The template loops more than ${this.options.loopBudget} times`);
    };
    // blockHelperMissing (`{{#list}}…{{/list}}` over an array) also iterates through `each`.
    this.hbs.registerHelper('each', function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
      spend(countItems(context));
      return each.call(this, context, options);
    });
  }

  /** Throws ValidationError when `source` is not a template we can render. */
  check(source: string, field: string): void {
    // Counted before parsing: Handlebars' parse and compile time grows with the tags (faster
    // than linearly when they nest), and a large template would hold the API for seconds.
    if (countTags(source, this.options.maxTags) > this.options.maxTags) {
      throw new ValidationError(`${field} has more than ${this.options.maxTags} Handlebars tags ({{…}}), the most a template may hold`);
    }
    let ast: ReturnType<typeof Handlebars.parse>;
    try {
      ast = this.hbs.parse(source);
    } catch (err) {
      throw new ValidationError(`${field} is not a valid Handlebars template: ${parseProblem(err)}`);
    }
    const forbidden = findForbidden(ast);
    if (forbidden) throw new ValidationError(`${field} uses Handlebars ${forbidden}, which templates do not support`);
  }

  /**
   * The top-level names `source` reads (`{{title}}`, `{{author.name}}` and `{{#each tags}}` read
   * title, author and tags): which query keys of a signed URL are values of this template.
   */
  variables(source: string): Set<string> {
    const names = new Set<string>();
    collectVariables(this.hbs.parse(source), names);
    return names;
  }

  /**
   * Renders a stored template's field with `values`. With `escape: false` every substitution is
   * raw (CSS, where HTML entities would only corrupt quotes). The source is not checked again:
   * it was checked when it was saved (TemplateService), and versions never change.
   */
  render(template: StoredTemplateField, values: Record<string, unknown>, escape = true): string {
    const compiled = this.compiledOf(template, escape);
    this.remaining = this.options.loopBudget;
    try {
      return compiled(values);
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      // Missing helpers, runaway recursion through helpers, and the like: the template's fault.
      throw new ValidationError(`${template.field} could not be rendered: ${firstLine(err)}`);
    }
  }

  /** Cached compiled function; Handlebars compiles lazily, on its first call, and keeps the result. */
  private compiledOf(template: StoredTemplateField, escape: boolean): Compiled {
    const key = JSON.stringify([template.account, template.templateId, template.version, template.field, escape]);
    const cached = this.cache?.get(key);
    if (cached) return cached.compiled;
    const compiled = this.hbs.compile(template.source, { noEscape: !escape, strict: false });
    this.cache?.set(key, { compiled, bytes: Math.max(1, Buffer.byteLength(template.source)) });
    return compiled;
  }
}

/** Occurrences of `{{` in `source`, counting no further than `stopAfter` + 1. */
function countTags(source: string, stopAfter: number): number {
  let count = 0;
  for (let i = source.indexOf('{{'); i >= 0 && count <= stopAfter; i = source.indexOf('{{', i + 2)) count++;
  return count;
}

function countItems(context: unknown): number {
  if (context === null || context === undefined) return 0;
  if (typeof context === 'string' || Array.isArray(context)) return context.length;
  if (typeof context === 'object') {
    if (context instanceof Map || context instanceof Set) return context.size;
    return Object.keys(context).length;
  }
  return 0;
}

function collectVariables(node: unknown, names: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((child) => collectVariables(child, names));
  const n = node as { type?: unknown; parts?: unknown; data?: unknown; params?: unknown[] };
  // `@index` is Handlebars' own data.
  if (n.type === 'PathExpression' && !n.data && Array.isArray(n.parts) && typeof n.parts[0] === 'string') names.add(n.parts[0]);
  // With parameters, a statement's path names a helper (`{{#each tags}}`, `{{#if width}}`), not a value.
  const helperCall = Array.isArray(n.params) && n.params.length > 0;
  for (const [key, child] of Object.entries(node)) if (key !== 'loc' && !(helperCall && key === 'path')) collectVariables(child, names);
}

function findForbidden(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findForbidden(child);
      if (found) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  const type = (node as { type?: unknown }).type;
  if (typeof type === 'string' && FORBIDDEN_NODES[type]) return FORBIDDEN_NODES[type];
  for (const [key, child] of Object.entries(node)) {
    if (key === 'loc') continue;
    const found = findForbidden(child);
    if (found) return found;
  }
  return undefined;
}

// The tokens Handlebars' parser names in "got '…'", said the way a template author would.
const TOKENS: Record<string, string> = {
  EOF: 'end of the template (a block left open?)',
  OPEN_ENDBLOCK: 'closing tag {{/…}}',
  INVERSE: '{{else}}',
  OPEN_INVERSE_CHAIN: '{{else …}}',
  INVALID: 'characters in a tag',
  CLOSE: '}}',
};

/**
 * Handlebars' parse errors are four lines: where, the text near it, a caret line and the
 * parser's expectations. The first line alone ("Parse error on line 1:") says nothing.
 */
function parseProblem(err: unknown): string {
  const lines = String((err as Error)?.message ?? err).split('\n');
  const got = lines.length >= 4 ? /got '([^']+)'$/.exec(lines[3]!)?.[1] : undefined;
  if (!lines[0]!.startsWith('Parse error') || !got) return firstLine(err);
  return `${lines[0]!.replace(/:$/, '')} near "${lines[1]!.slice(-60)}": unexpected ${TOKENS[got] ?? got}`;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .split('\n')[0]!
    .slice(0, 200);
}
