// Command line → a typed command. Flags win over environment variables, which win over defaults;
// every mistake is a UsageError naming the flag, found before any request is sent.
import path from 'node:path';
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

export const IMAGE_FORMATS = ['png', 'jpg', 'webp', 'pdf'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export type InputFormat = 'jsonl' | 'csv';

/** Where the server is and who we are; from flags, then PIXELFARM_* variables, then these defaults. */
export interface Connection {
  /** Default http://127.0.0.1:8080, the port `npm start` serves the API on. */
  server: string;
  /** Default `dev`, the development pair the server uses when API_KEYS is unset. */
  userId: string;
  apiKey: string;
}

interface RenderCommon {
  connection: Connection;
  /** Retries per request after the first attempt (429, 5xx, network errors). Default 5. */
  retries: number;
  /** Per-request timeout. Default 120 s: the server itself waits up to RENDER_WAIT_MS for a render. */
  timeoutMs: number;
  /** Fields sent with every request under each line's own (css, viewport, device scale). */
  defaults: Record<string, unknown>;
  quiet: boolean;
}

export interface BulkCommand extends RenderCommon {
  kind: 'bulk';
  input: string;
  inputFormat: InputFormat;
  outDir: string;
  /** Renders in flight at once. Default 4. */
  concurrency: number;
  nameColumn?: string;
  /** Extension of every file unless a line sets its own `format`. Default png. */
  format: ImageFormat;
}

export interface OneOffCommand extends RenderCommon {
  kind: 'one';
  /** The request body: html or url plus the defaults. */
  body: Record<string, unknown>;
  /** File to write, `-` for stdout; undefined: `<id>.<ext>` in the current directory. */
  output?: string;
  format: ImageFormat;
}

export type Command = { kind: 'help'; topic: 'main' | 'render' } | { kind: 'version' } | BulkCommand | OneOffCommand;

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
export const DEFAULT_USER_ID = 'dev';
export const DEFAULT_API_KEY = 'dev-secret-change-me';

/** The options of `render`, in util.parseArgs' own shape. Every value is a string; numbers are checked below. */
const RENDER_OPTIONS = {
  output: { type: 'string', short: 'o' },
  concurrency: { type: 'string', short: 'c' },
  'name-column': { type: 'string' },
  format: { type: 'string', short: 'f' },
  'input-format': { type: 'string' },
  retries: { type: 'string' },
  timeout: { type: 'string' },
  html: { type: 'string' },
  url: { type: 'string' },
  css: { type: 'string' },
  width: { type: 'string', short: 'W' },
  height: { type: 'string', short: 'H' },
  'device-scale': { type: 'string' },
  server: { type: 'string' },
  'user-id': { type: 'string' },
  'api-key': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type RenderOption = keyof typeof RENDER_OPTIONS;

interface Tokens {
  options: Map<RenderOption, string | true>;
  positionals: string[];
}

/**
 * GNU-style tokens (--name=value, --name value, -o value, -ovalue, -qh; `--` ends the options)
 * by util.parseArgs. It runs non-strict with its token list so that each mistake is reported in
 * the words of this CLI, naming the option as the user wrote it (`-o needs a value`), instead of
 * parseArgs' own messages, which suggest `--` tricks and quote option descriptors.
 */
export function tokenize(argv: string[]): Tokens {
  const { tokens } = nodeParseArgs({ args: argv, options: RENDER_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const options = new Map<RenderOption, string | true>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(RENDER_OPTIONS, token.name) ? RENDER_OPTIONS[token.name as RenderOption] : undefined;
    if (!spec) throw new UsageError(`unknown option ${token.rawName}`);
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${token.rawName} takes no value`);
      options.set(token.name as RenderOption, true);
    } else {
      if (token.value === undefined) throw new UsageError(`${token.rawName} needs a value`);
      options.set(token.name as RenderOption, token.value);
    }
  }
  return { options, positionals };
}

/** Parses `argv` (without node and the script) with `env` supplying PIXELFARM_* settings. */
export function parseArgs(argv: string[], env: Record<string, string | undefined>): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command given (try: pixelfarm render --help)');
  if (command === '-h' || command === '--help') return { kind: 'help', topic: 'main' };
  if (command === '-V' || command === '--version') return { kind: 'version' };
  if (command === 'help') {
    if (rest.length === 0) return { kind: 'help', topic: 'main' };
    if (rest[0] === 'render') return { kind: 'help', topic: 'render' };
    throw new UsageError(`no help for "${rest[0]}": the commands are: render`);
  }
  if (command !== 'render') throw new UsageError(`unknown command "${command}": the commands are: render`);
  // --help wins over every other mistake on the line: a user asking for help gets it.
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: 'render' };
  return parseRender(rest, env);
}

function parseRender(argv: string[], env: Record<string, string | undefined>): Command {
  const { options, positionals } = tokenize(argv);
  if (options.has('help')) return { kind: 'help', topic: 'render' };
  const str = (name: RenderOption): string | undefined => {
    const v = options.get(name);
    return v === true ? undefined : v;
  };

  const common: RenderCommon = {
    connection: connectionOf(str, env),
    retries: intOption('retries', str('retries'), 0, 20) ?? 5,
    timeoutMs: Math.round((numberOption('timeout', str('timeout'), 0.001, 3600) ?? 120) * 1000),
    defaults: defaultsOf(str),
    quiet: options.has('quiet'),
  };

  const html = str('html');
  const url = str('url');
  const format = formatOption(str('format'));
  if (positionals.length > 1) throw new UsageError(`render takes one input file, got ${positionals.length}: ${positionals.join(' ')}`);
  const input = positionals[0];

  if (input !== undefined) {
    if (html !== undefined || url !== undefined) {
      throw new UsageError('--html and --url are for one-off renders; with an input file, put html or url in each line');
    }
    const outDir = str('output');
    if (!outDir) throw new UsageError('-o/--output <dir> is required with an input file: it receives the images and manifest.jsonl');
    const nameColumn = str('name-column');
    if (nameColumn !== undefined && nameColumn.trim() === '') throw new UsageError('--name-column needs a column name');
    return {
      kind: 'bulk',
      ...common,
      input,
      inputFormat: inputFormatOf(input, str('input-format')),
      outDir,
      concurrency: intOption('concurrency', str('concurrency'), 1, 64) ?? 4,
      nameColumn,
      format: format ?? 'png',
    };
  }

  if (html === undefined && url === undefined) {
    throw new UsageError('render needs an input file (.jsonl or .csv) or --html/--url for a single image');
  }
  if (html !== undefined && url !== undefined) throw new UsageError('give --html or --url, not both');
  for (const name of ['name-column', 'input-format', 'concurrency'] as const) {
    if (options.has(name)) throw new UsageError(`--${name} applies to an input file, not to a one-off render`);
  }
  const output = str('output');
  return {
    kind: 'one',
    ...common,
    body: { ...(html !== undefined ? { html } : { url }), ...common.defaults },
    output,
    format: format ?? formatOfPath(output) ?? 'png',
  };
}

function connectionOf(str: (name: RenderOption) => string | undefined, env: Record<string, string | undefined>): Connection {
  const raw = str('server') ?? nonEmpty(env.PIXELFARM_URL) ?? DEFAULT_SERVER;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`server "${raw}" is not a URL (--server or PIXELFARM_URL, e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`server "${raw}" must be an http or https URL`);
  }
  return {
    server: raw.replace(/\/+$/, ''),
    userId: str('user-id') ?? nonEmpty(env.PIXELFARM_USER_ID) ?? DEFAULT_USER_ID,
    apiKey: str('api-key') ?? nonEmpty(env.PIXELFARM_API_KEY) ?? DEFAULT_API_KEY,
  };
}

function defaultsOf(str: (name: RenderOption) => string | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  const css = str('css');
  if (css !== undefined) defaults.css = css;
  const width = intOption('width', str('width'), 1, 100_000);
  const height = intOption('height', str('height'), 1, 100_000);
  // The API takes both or neither (a 400 otherwise): say so here rather than after a round trip.
  if ((width === undefined) !== (height === undefined)) throw new UsageError('-W/--width and -H/--height go together: give both');
  if (width !== undefined) {
    defaults.viewport_width = width;
    defaults.viewport_height = height;
  }
  const scale = numberOption('device-scale', str('device-scale'), 0.1, 3);
  if (scale !== undefined) defaults.device_scale = scale;
  return defaults;
}

function inputFormatOf(input: string, explicit: string | undefined): InputFormat {
  if (explicit !== undefined) {
    if (explicit === 'jsonl' || explicit === 'csv') return explicit;
    throw new UsageError(`--input-format must be jsonl or csv, got "${explicit}"`);
  }
  const ext = path.extname(input).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw new UsageError(`cannot tell the format of "${input}" from its extension: name it .jsonl or .csv, or pass --input-format jsonl|csv`);
}

function formatOption(value: string | undefined): ImageFormat | undefined {
  if (value === undefined) return undefined;
  const f = normalizeFormat(value);
  if (!f) throw new UsageError(`--format must be png, jpg, webp or pdf, got "${value}"`);
  return f;
}

/** png/jpg/jpeg/webp/pdf (any case) → the API's name of the format. */
export function normalizeFormat(value: string): ImageFormat | undefined {
  const v = value.toLowerCase();
  if (v === 'jpeg') return 'jpg';
  return (IMAGE_FORMATS as readonly string[]).includes(v) ? (v as ImageFormat) : undefined;
}

function formatOfPath(file: string | undefined): ImageFormat | undefined {
  if (!file || file === '-') return undefined;
  const ext = path.extname(file);
  return ext ? normalizeFormat(ext.slice(1)) : undefined;
}

function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

function numberOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
