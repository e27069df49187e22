// Builds the document a create request renders: snippets are wrapped in a minimal page,
// whole documents get the extra CSS injected into their head.

/** A snippet has neither <html> nor <body>: it is auto-cropped to its outermost element. */
export function isSnippet(html: string): boolean {
  return !/<html[\s>]|<body[\s>]/i.test(html);
}

// Stable default fonts on every worker: the same request renders the same pixels anywhere.
const BASE_CSS = `html{font-family:"Liberation Sans","Noto Sans",Arial,sans-serif,"Noto Color Emoji";}`;

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function escapeStyle(css: string): string {
  // A "</style" inside user CSS would close the element and turn the rest into markup.
  return css.replace(/<\/style/gi, '<\\/style');
}

/**
 * Whether a static document (no scripts) may load web fonts: only @font-face rules, stylesheets
 * it links or imports, and google_fonts can. Without them document.fonts.ready is settled at
 * load, so the render skips the round trip that waits for it. Scripted documents can add fonts
 * from script at any time and always wait.
 */
export function mayLoadWebFonts(html: string, css = '', googleFonts?: string): boolean {
  return googleFonts !== undefined || /@font-face|@import|<link\b/i.test(html) || /@font-face|@import/i.test(css);
}

/** Defines ScreenshotReady() before any page script runs (render_when_ready). */
export const READY_HELPER = `window.ScreenshotReady=function(){window.__pixelfarmReady=true};`;

export function buildDocument(
  html: string,
  css?: string,
  options: { readyHelper?: boolean; stylesheets?: readonly string[] } = {},
): string {
  const helper = options.readyHelper ? `<script>${READY_HELPER}</script>` : '';
  const links = (options.stylesheets ?? []).map((href) => `<link rel="stylesheet" href="${escapeAttr(href)}">`).join('');
  const style = `${helper}${links}<style>${BASE_CSS}</style>${css ? `<style>${escapeStyle(css)}</style>` : ''}`;
  if (isSnippet(html)) {
    return `<!DOCTYPE html><html><head><meta charset="utf-8">${style}</head><body>${html}</body></html>`;
  }
  if (/<head[\s>]/i.test(html)) return insertAfterTag(html, 'head', `<meta charset="utf-8">${style}`);
  return insertAfterTag(html, 'html', `<head>${style}</head>`);
}

/**
 * Inserts `content` after the first opening tag `name`, or returns the HTML unchanged. Found
 * with indexOf rather than a regex like /<head(\s[^>]*)?>/: on a document of many unclosed
 * tags that regex rescans to the end from each one, minutes of blocked worker for 2 MB.
 */
function insertAfterTag(html: string, name: 'head' | 'html', content: string): string {
  const open = new RegExp(`<${name}[\\s>]`, 'i').exec(html);
  const end = open ? html.indexOf('>', open.index) : -1;
  return end < 0 ? html : html.slice(0, end + 1) + content + html.slice(end + 1);
}
