// The contract of a package's configuration: the zod fields of the variables it owns (the
// variable names are the keys) and how the parsed values become the package's typed slice,
// with the checks that need more than one of its variables. What a slice needs from another
// package's slice arrives as `context`, so a fragment never reads variables it does not own.
import { z } from 'zod';
import { ConfigError } from '@pixelfarm/errors';

/** Environment variables as the process receives them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The zod fields of a fragment, one per environment variable. */
export type EnvShape = Record<string, z.ZodType>;

/** The parsed values of a fragment's variables. */
export type EnvOf<S extends EnvShape> = z.output<z.ZodObject<S>>;

export interface ConfigFragment<S extends EnvShape, T, C = undefined> {
  /** The variables this package reads, with their defaults and single-variable checks. */
  readonly env: S;
  /**
   * The package's slice from its parsed variables; a problem found on the way is pushed as
   * `VARIABLE: what is wrong` (the caller reports all of them at once).
   */
  build(values: EnvOf<S>, context: C, problems: string[]): T;
}

/** Declares a fragment (keeps its types inferred). */
export function defineFragment<S extends EnvShape, T, C = undefined>(fragment: ConfigFragment<S, T, C>): ConfigFragment<S, T, C> {
  return fragment;
}

/** Empty strings mean "unset", as they do in compose files and Kubernetes manifests. */
export function setVariables(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** Parses `env` against `shape`; throws ConfigError naming every bad variable. */
export function parseEnv<S extends EnvShape>(shape: S, env: Env): EnvOf<S> {
  const parsed = z.object(shape).safeParse(setVariables(env));
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return parsed.data;
}

/** The ConfigError that lists every problem found. */
export function invalid(problems: readonly string[]): ConfigError {
  return new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/**
 * One fragment's slice read from `env` alone (unset variables take their defaults): for tests
 * and tools that build one package. Throws ConfigError naming every problem.
 */
export function readFragment<S extends EnvShape, T, C>(fragment: ConfigFragment<S, T, C>, env: Env, context: C): T {
  const problems: string[] = [];
  const slice = fragment.build(parseEnv(fragment.env, env), context, problems);
  if (problems.length > 0) throw invalid(problems);
  return slice;
}
