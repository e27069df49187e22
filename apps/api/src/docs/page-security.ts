// Response headers of the HTML pages (docs, playground). They ship their CSS and JS inline, so the
// Content-Security-Policy allows exactly those blocks by hash and nothing else from anywhere:
// no CDN (the service is self-hosted, often without internet) and no injected script can run.
import { createHash } from 'node:crypto';

export interface PageAssets {
  scripts?: string[];
  styles?: string[];
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function pageHeaders(assets: PageAssets): Record<string, string> {
  const scripts = (assets.scripts ?? []).map(hash);
  const styles = (assets.styles ?? []).map(hash);
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.length ? scripts.join(' ') : "'none'"}`,
    `style-src ${styles.length ? styles.join(' ') : "'none'"}`,
    // Image URLs are PUBLIC_URL's, which may be another origin than the one serving this page.
    'img-src * data: blob:',
    // The playground calls this API on the page's own origin only.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-cache',
  };
}
