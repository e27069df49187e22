// docker-compose.yml as compose itself reads it with no variables set: YAML merge keys applied,
// `${VAR:-default}` resolved to the default.
import { parse } from 'yaml';
import { read } from './app-facts';

/** `${VAR:-default}` as compose resolves it with VAR unset; `$$` is a literal `$`. A variable without a default is an error. */
export function interpolate(value: string): string {
  const resolved = value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
  if (/\$\{/.test(resolved.replace(/\$\$/g, ''))) throw new Error(`compose would need a variable set for: ${value}`);
  return resolved.replace(/\$\$/g, '$');
}

/** The parsed compose file (merge keys applied), typed by the caller. */
export function readCompose<T>(): T {
  return parse(read('docker-compose.yml'), { merge: true }) as T;
}

/** Every string of a parsed compose document interpolated as compose does before it validates. */
export function interpolateAll<T>(value: T): T {
  if (typeof value === 'string') return interpolate(value) as T;
  if (Array.isArray(value)) return value.map(interpolateAll) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v)])) as T;
  return value;
}

/** The host port of a `ports:` entry (`[ip:]host:container`), after interpolation. */
export function publishedPort(mapping: string): string {
  return interpolate(mapping).split(':').slice(-2)[0]!;
}
