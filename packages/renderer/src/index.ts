// Rendering with Chromium via Playwright, behind the Renderer interface.
export * from './renderer';
export * from './browser-host';
export * from './chromium-renderer';
// The egress guard moved to @pixelfarm/egress (the API needs it without loading Playwright); re-exported for the worker.
export * from '@pixelfarm/egress';
export * from './page-document';
export * from './page-pool';
export * from './page-session';
export * from './static-document';
export * from './page-extras';
export * from './proxy-server';
export * from './egress-proxy';
export * from './render-plan';
export * from './capture-plan';
export * from './request-headers';
export * from './request-blocking';
export * from './request-interception';
export * from './twemoji';
export * from './upstream-relay';
export * from './upstream-proxies';
export * from './renderer.config';
