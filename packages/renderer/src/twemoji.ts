// Emoji drawn as Twemoji images, as hcti draws them (parameters/disable_twemoji, guides/debugging/
// emoji): each emoji of the page's text becomes an <img class="emoji"> of its Twemoji, sized like
// a glyph by a default rule the page's own CSS overrides. The only user of @discordapp/twemoji,
// a maintained fork whose npm package ships the matching SVGs: every image comes from that
// package on this machine, as a data: URL, so a render never reaches a CDN (nor any network) for
// it, and a page with scripting off gets its emoji too (the work runs through DevTools).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import twemoji from '@discordapp/twemoji';

/** Where the package keeps one SVG per emoji, named by its code points. */
const SVG_DIR = path.join(path.dirname(require.resolve('@discordapp/twemoji/package.json')), 'dist', 'svg');

/** The default size and placement of an emoji image: a glyph's (Twemoji's recommended rule). */
export const EMOJI_CSS = 'img.emoji{height:1em;width:1em;margin:0 .05em 0 .1em;vertical-align:-0.1em}';

/** Text nodes that may hold an emoji: a cheap test run in the page before the exact one here. */
const MAYBE_EMOJI = '[\\u00a9\\u00ae\\u203c-\\u3299\\ud83c-\\ud83e]';

/** A piece of a text node: plain text, or an emoji drawn by the image of `icon`. */
type Part = string | { icon: string; alt: string };

/** True when `text` holds an emoji Twemoji draws (its own detection). */
export function mayHaveEmoji(text: string): boolean {
  return twemoji.test(text);
}

/** Twemoji's file name of an emoji: its code points, without U+FE0F unless the sequence is joined (U+200D). */
function iconOf(emoji: string): string {
  return twemoji.convert.toCodePoint(emoji.includes('\u200d') ? emoji : emoji.replace(/\ufe0f/g, ''));
}

/** `text` split into plain runs and emoji. */
function partsOf(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  twemoji.replace(text, (emoji: string, ...rest: unknown[]) => {
    const at = rest.find((x): x is number => typeof x === 'number')!;
    if (at > last) parts.push(text.slice(last, at));
    parts.push({ icon: iconOf(emoji), alt: emoji });
    last = at + emoji.length;
    return emoji;
  });
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** The SVG of an icon as a data: URL, or undefined when the package has none (the glyph stays). */
async function svgOf(icon: string): Promise<string | undefined> {
  if (!/^[0-9a-f-]+$/.test(icon)) return undefined;
  const svg = await fs.readFile(path.join(SVG_DIR, `${icon}.svg`)).catch(() => undefined);
  return svg && `data:image/svg+xml;base64,${svg.toString('base64')}`;
}

/**
 * Replaces the emoji of the page's text with Twemoji images and waits until they are decoded.
 * Two round trips: the page lists its text nodes that may hold one (outside script, style and
 * form fields, as Twemoji's own parser skips them), this process splits them and loads each
 * distinct image once, the page puts the pieces in place.
 */
export async function drawTwemoji(page: Page): Promise<void> {
  const texts = await page.evaluate((maybe) => {
    const test = new RegExp(maybe);
    const skip = /^(?:IFRAME|NOFRAMES|NOSCRIPT|SCRIPT|SELECT|STYLE|TEXTAREA|TITLE)$/;
    const found: Text[] = [];
    // No filter callback: with scripting off, the DOM does not call back into script.
    const walker = document.createTreeWalker(document.body ?? document.documentElement, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      if (node.parentElement && !skip.test(node.parentElement.tagName) && test.test(node.data)) found.push(node);
    }
    (document as unknown as Record<symbol, Text[]>)[Symbol.for('pixelfarm.emoji')] = found;
    return found.map((node) => node.data);
  }, MAYBE_EMOJI);
  if (texts.length === 0) return;
  const split = texts.map(partsOf);
  const icons = [...new Set(split.flat().flatMap((p) => (typeof p === 'string' ? [] : [p.icon])))];
  const sources = Object.fromEntries((await Promise.all(icons.map(async (icon) => [icon, await svgOf(icon)] as const))).filter(([, src]) => src));
  if (Object.keys(sources).length === 0) return;
  await page.evaluate(
    async ({ split, sources, css }) => {
      const nodes = (document as unknown as Record<symbol, Text[] | undefined>)[Symbol.for('pixelfarm.emoji')] ?? [];
      delete (document as unknown as Record<symbol, unknown>)[Symbol.for('pixelfarm.emoji')];
      const images: HTMLImageElement[] = [];
      split.forEach((parts, i) => {
        const node = nodes[i];
        if (!node?.parentNode || !parts.some((p) => typeof p !== 'string' && sources[p.icon])) return;
        const fragment = document.createDocumentFragment();
        for (const part of parts) {
          if (typeof part === 'string' || !sources[part.icon]) {
            fragment.append(typeof part === 'string' ? part : part.alt);
            continue;
          }
          const img = document.createElement('img');
          img.className = 'emoji';
          img.draggable = false;
          img.alt = part.alt;
          img.src = sources[part.icon]!;
          images.push(img);
          fragment.append(img);
        }
        node.parentNode.replaceChild(fragment, node);
      });
      if (images.length === 0) return;
      // First in the head: any rule of the page's own about img.emoji comes later and wins.
      const style = document.createElement('style');
      style.textContent = css;
      const head = document.head ?? document.documentElement;
      head.insertBefore(style, head.firstChild);
      await Promise.all(images.map((img) => img.decode().catch(() => undefined)));
    },
    { split, sources, css: EMOJI_CSS },
  );
}
