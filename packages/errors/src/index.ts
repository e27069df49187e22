// Shared typed errors (see app-error.ts).
export * from './app-error';
export * from './deadline';
