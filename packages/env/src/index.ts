// Reading environment variables: the typed fields every package's *.config.ts declares its
// variables with, and the fragment contract @pixelfarm/config composes them by.
export * from './env-fields';
export * from './config-fragment';
