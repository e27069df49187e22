// Process configuration: environment validation and API key handling.
//
// Configuration: a new environment variable goes into the *.config.ts fragment of the package
// that uses it (packages/renderer/src/renderer.config.ts, packages/queue/src/queue.config.ts,
// packages/storage/src/storage.config.ts, ...): a zod field named after the variable, with its
// default and range and a doc comment, then a field of that package's slice built from it. The
// composition roots pass the slice to the package as it is, so the package needs no fallback of
// its own. A setting of one app that no package owns goes into this package's api.config.ts or
// worker.config.ts, and one both processes read into process.config.ts. A value derived from
// another package's slice arrives as the fragment's context (config.ts); a check across packages
// is made in config.ts, which imports each fragment through its package's /config entry (a
// config/package.json beside the package's src/). ENV_VARS, which the deploy tests check
// manifests against, lists them all.
export * from './config';
export * from './process.config';
export * from './api.config';
export * from './worker.config';
export * from './api-keys';
export * from './webhook-secrets';
export * from './logger';
