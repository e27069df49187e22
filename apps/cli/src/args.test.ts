import { parseArgs, type BulkCommand, type OneOffCommand } from './args';
import { UsageError } from './errors';

const bulk = (argv: string[], env: Record<string, string> = {}) => parseArgs(argv, env) as BulkCommand;
const one = (argv: string[], env: Record<string, string> = {}) => parseArgs(argv, env) as OneOffCommand;
const usage = (argv: string[]) => {
  try {
    parseArgs(argv, {});
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('parseArgs', () => {
  it('reads a bulk render with defaults', () => {
    expect(bulk(['render', 'cards.jsonl', '-o', 'out'])).toEqual({
      kind: 'bulk',
      input: 'cards.jsonl',
      inputFormat: 'jsonl',
      outDir: 'out',
      concurrency: 4,
      nameColumn: undefined,
      format: 'png',
      retries: 5,
      timeoutMs: 120_000,
      defaults: {},
      quiet: false,
      connection: { server: 'http://127.0.0.1:8080', userId: 'dev', apiKey: 'dev-secret-change-me' },
    });
  });

  it('accepts --name=value, --name value, -o value, -c8 and -q grouped', () => {
    const cmd = bulk(['render', '--output=out', '-c8', '--name-column', 'slug', 'rows.CSV', '-f', 'JPEG', '--retries=0', '--timeout', '2.5', '-q']);
    expect(cmd).toMatchObject({ inputFormat: 'csv', outDir: 'out', concurrency: 8, nameColumn: 'slug', format: 'jpg', retries: 0, timeoutMs: 2500, quiet: true });
  });

  it('takes the input format from --input-format when the extension says nothing', () => {
    expect(bulk(['render', 'data.txt', '--input-format', 'csv', '-o', 'o']).inputFormat).toBe('csv');
    expect(bulk(['render', 'data.ndjson', '-o', 'o']).inputFormat).toBe('jsonl');
    expect(usage(['render', 'data.txt', '-o', 'o'])).toMatch(/cannot tell the format of "data.txt".*--input-format/);
  });

  it('takes the connection from flags over PIXELFARM_* over defaults', () => {
    const env = { PIXELFARM_URL: 'https://render.example/', PIXELFARM_USER_ID: 'u1', PIXELFARM_API_KEY: 'k1' };
    expect(bulk(['render', 'a.jsonl', '-o', 'o'], env).connection).toEqual({ server: 'https://render.example', userId: 'u1', apiKey: 'k1' });
    expect(bulk(['render', 'a.jsonl', '-o', 'o', '--server', 'http://127.0.0.1:9', '--user-id', 'u2', '--api-key', 'k2'], env).connection).toEqual({
      server: 'http://127.0.0.1:9',
      userId: 'u2',
      apiKey: 'k2',
    });
    // An empty variable is unset, not an empty password.
    expect(bulk(['render', 'a.jsonl', '-o', 'o'], { PIXELFARM_API_KEY: '' }).connection.apiKey).toBe('dev-secret-change-me');
  });

  it('reads a one-off render; the format follows -o unless --format says otherwise', () => {
    expect(one(['render', '--html', '<div>x</div>', '--css', 'div{color:red}', '-W', '1200', '-H', '630', '-o', 'card.webp'])).toMatchObject({
      kind: 'one',
      body: { html: '<div>x</div>', css: 'div{color:red}', viewport_width: 1200, viewport_height: 630 },
      output: 'card.webp',
      format: 'webp',
    });
    expect(one(['render', '--url', 'https://a.example', '--device-scale', '1.5']).body).toEqual({ url: 'https://a.example', device_scale: 1.5 });
    expect(one(['render', '--html', 'x', '-o', 'card.png', '--format', 'jpg']).format).toBe('jpg');
    expect(one(['render', '--html', 'x', '-o', 'card']).format).toBe('png');
    expect(one(['render', '--html', 'x', '-o', '-']).output).toBe('-');
  });

  it('applies --css, -W/-H and --device-scale to every line of a file', () => {
    expect(bulk(['render', 'a.jsonl', '-o', 'o', '--css', 'p{}', '-W', '200', '-H', '100', '--device-scale', '1']).defaults).toEqual({
      css: 'p{}',
      viewport_width: 200,
      viewport_height: 100,
      device_scale: 1,
    });
  });

  it('returns help for --help anywhere, even next to mistakes, and for `help`', () => {
    expect(parseArgs(['--help'], {})).toEqual({ kind: 'help', topic: 'main' });
    expect(parseArgs(['help'], {})).toEqual({ kind: 'help', topic: 'main' });
    expect(parseArgs(['help', 'render'], {})).toEqual({ kind: 'help', topic: 'render' });
    expect(parseArgs(['render', '--bogus', '--help'], {})).toEqual({ kind: 'help', topic: 'render' });
    expect(parseArgs(['render', '-qh'], {})).toEqual({ kind: 'help', topic: 'render' });
    expect(parseArgs(['--version'], {})).toEqual({ kind: 'version' });
  });

  it.each<[string[], RegExp]>([
    [[], /no command given/],
    [['draw'], /unknown command "draw"/],
    [['render', 'a.jsonl', '-o', 'o', '--colour', 'red'], /unknown option --colour/],
    [['render', 'a.jsonl', '-o', 'o', '-z'], /unknown option -z/],
    [['render', 'a.jsonl', '-o', 'o', '-qz'], /^unknown option -z$/],
    // Names of Object.prototype are not options (a lookup in a plain object would find them).
    [['render', 'a.jsonl', '-o', 'o', '--constructor'], /^unknown option --constructor$/],
    [['render', 'a.jsonl', '-o', 'o', '-c'], /^-c needs a value$/],
    [['render', 'a.jsonl', '-o'], /-o needs a value/],
    [['render', 'a.jsonl', '--output'], /--output needs a value/],
    [['render', 'a.jsonl', '-o', 'o', '--quiet=yes'], /--quiet takes no value/],
    [['render', 'a.jsonl'], /-o\/--output <dir> is required/],
    [['render', 'a.jsonl', 'b.jsonl', '-o', 'o'], /one input file, got 2/],
    [['render', 'a.jsonl', '-o', 'o', '--html', 'x'], /--html and --url are for one-off renders/],
    [['render', '-o', 'x.png'], /needs an input file .* or --html\/--url/],
    [['render', '--html', 'x', '--url', 'https://a.example'], /--html or --url, not both/],
    [['render', '--html', 'x', '--name-column', 'n'], /--name-column applies to an input file/],
    [['render', 'a.jsonl', '-o', 'o', '-c', '0'], /--concurrency must be a whole number from 1 to 64, got "0"/],
    [['render', 'a.jsonl', '-o', 'o', '-c', 'four'], /--concurrency must be a whole number/],
    [['render', 'a.jsonl', '-o', 'o', '--retries', '-1'], /--retries must be a whole number from 0 to 20/],
    [['render', 'a.jsonl', '-o', 'o', '--timeout', '0'], /--timeout must be a number/],
    [['render', 'a.jsonl', '-o', 'o', '--format', 'gif'], /--format must be png, jpg, webp or pdf, got "gif"/],
    [['render', 'a.jsonl', '-o', 'o', '--input-format', 'xml'], /--input-format must be jsonl or csv/],
    [['render', '--html', 'x', '-W', '100'], /-W\/--width and -H\/--height go together/],
    [['render', '--html', 'x', '--device-scale', '9'], /--device-scale must be a number from 0.1 to 3/],
    [['render', '--html', 'x', '--server', 'not a url'], /server "not a url" is not a URL/],
    [['render', '--html', 'x', '--server', 'ftp://h'], /must be an http or https URL/],
  ])('rejects %j', (argv, message) => {
    expect(usage(argv)).toMatch(message);
  });

  it('takes values attached to short options and values that start with a dash', () => {
    expect(one(['render', '--html', 'x', '-o-']).output).toBe('-');
    expect(one(['render', '--html', 'x', '--output=-']).output).toBe('-');
    expect(one(['render', '--html', '-x-', '-qo', 'a.png'])).toMatchObject({ body: { html: '-x-' }, output: 'a.png', quiet: true });
  });

  it('treats everything after -- as input files', () => {
    expect(bulk(['render', '-o', 'o', '--', '-weird.jsonl']).input).toBe('-weird.jsonl');
  });
});
