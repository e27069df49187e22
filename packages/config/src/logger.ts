// Structured JSON logs through pino behind a small Logger interface, levelled by LOG_LEVEL.
// pino (rather than JSON.stringify, which throws on both) logs circular objects and BigInts, serialises
// errors with their stack and causes, and redacts secrets by path. A scope (AsyncLocalStorage)
// adds a request's id to every line logged while the request, or the render job it queued, runs.
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './process.config';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line also carries `bindings` (a component, a job id). */
  child(bindings: LogFields): Logger;
  /**
   * Runs `fn` with `bindings` (such as `reqId`) added to every line logged inside it, through
   * this logger or any logger of its family, across awaits: one request or job, start to end.
   */
  runWith<T>(bindings: LogScope, fn: () => T): T;
  /** The bindings of the runWith call we are inside, if any. */
  scope(): Readonly<LogScope> | undefined;
}

/** What a scope binds. `reqId` ties an API request to the worker lines of the render it queued. */
export interface LogScope extends LogFields {
  reqId?: string;
}

export interface LoggerOptions {
  /** Where lines go. Default: stdout, written synchronously so that nothing is lost at exit. */
  destination?: DestinationStream;
}

/**
 * Redacted wherever they appear at these paths: credentials, keys and secrets, and the values
 * of header maps, which carry what users gave (a create's `headers` for the pages it loads).
 * Header names stay readable; values read [Redacted].
 */
export const REDACTED_PATHS: readonly string[] = [
  ...['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key'].flatMap((h) => [
    `req.headers["${h}"]`,
    `res.headers["${h}"]`,
  ]),
  ...['apiKey', 'api_key', 'password', 'secret', 'secrets', 'secretAccessKey', 'secret_access_key', 'token', 'authorization'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
  ]),
  'headers.*',
  '*.headers.*',
  '*.*.headers.*',
];

/**
 * Keys pino writes itself: a field of the same name would make a second `level` or `time` in
 * the line, and JSON readers keep the last one. Such fields are written with a `field_` prefix.
 */
const RESERVED = ['level', 'time', 'msg', 'name', 'pid', 'hostname'];

function renameReserved(fields: LogFields): LogFields {
  if (!RESERVED.some((k) => k in fields)) return fields;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [RESERVED.includes(k) ? `field_${k}` : k, v]));
}

/** The pino logger behind each Logger, for pino-http (the API's access log). */
const pinoLoggers = new WeakMap<Logger, PinoLogger>();

export function pinoLoggerOf(logger: Logger): PinoLogger | undefined {
  return pinoLoggers.get(logger);
}

export function createLogger(name: string, level: LogLevel, options: LoggerOptions = {}): Logger {
  const scopes = new AsyncLocalStorage<LogScope>();
  const root = pino(
    {
      level,
      base: { name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        // `"level":"info"` rather than pino's numbers: the line shape readers knew stays.
        level: (label) => ({ level: label }),
        log: renameReserved,
      },
      // Error objects under these keys keep their type, message, stack and causes.
      serializers: { err: pino.stdSerializers.errWithCause, error: pino.stdSerializers.errWithCause },
      redact: { paths: [...REDACTED_PATHS], censor: '[Redacted]' },
      // The scope's bindings, unless the line or its logger already has them (pino-http binds
      // reqId itself; writing a key twice would duplicate it in the line).
      mixin: (merge, _level, instance) => {
        const scope = scopes.getStore();
        if (!scope) return {};
        const bound = (instance as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
        return Object.fromEntries(Object.entries(scope).filter(([k, v]) => v !== undefined && !(k in merge) && !bound.includes(`"${k}":`)));
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return wrap(root, scopes);
}

function wrap(instance: PinoLogger, scopes: AsyncLocalStorage<LogScope>): Logger {
  const logger: Logger = {
    debug: (msg, fields) => instance.debug(fields ?? {}, msg),
    info: (msg, fields) => instance.info(fields ?? {}, msg),
    warn: (msg, fields) => instance.warn(fields ?? {}, msg),
    error: (msg, fields) => instance.error(fields ?? {}, msg),
    child: (bindings) => wrap(instance.child(renameReserved(bindings)), scopes),
    runWith: (bindings, fn) => scopes.run({ ...scopes.getStore(), ...bindings }, fn),
    scope: () => scopes.getStore(),
  };
  pinoLoggers.set(logger, instance);
  return logger;
}
