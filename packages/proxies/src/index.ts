export * from './account-proxy';
export * from './proxy-body.schema';
export * from './proxy-store';
export * from './proxy-directory';
