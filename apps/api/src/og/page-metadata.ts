// Reads a source page's metadata for its Open Graph image (hcti getting-started/og-images): the
// title, description, Open Graph and Twitter tags, `hcti:` render options and `html:tv:`
// template values, from the <meta> tags (property or name) and <title> of its HTML. The page is
// fetched under the egress policy (its host resolved once, every address checked, the checked
// address connected to), without following redirects, reading at most maxBytes within timeoutMs.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { NetworkGuard } from '@pixelfarm/egress';

export interface PageMetadata {
  /** Meta tags by property or name (the first of each), and `title` from <title>. */
  tags: ReadonlyMap<string, string>;
}

/** The site answered that the page does not exist (404 or 410). */
export const PAGE_MISSING: unique symbol = Symbol('page missing');

export interface PageMetadataOptions {
  guard: Pick<NetworkGuard, 'resolve'>;
  /** Longest fetch of a page (OG_FETCH_TIMEOUT_MS). */
  timeoutMs: number;
  /** Most bytes of a page read (OG_FETCH_MAX_BYTES): the head comes first. */
  maxBytes: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(/([a-zA-Z:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
    found.set(m[1]!.toLowerCase(), decode(m[3] ?? m[4] ?? m[5] ?? ''));
  }
  return found;
}

/** The metadata of an HTML text. */
export function parsePageMetadata(html: string): PageMetadata {
  const tags = new Map<string, string>();
  for (const m of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attrs = attributes(m[0]);
    const key = (attrs.get('property') ?? attrs.get('name'))?.trim();
    const content = attrs.get('content');
    if (key && content !== undefined && !tags.has(key)) tags.set(key, content);
  }
  const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  if (title !== undefined && !tags.has('title')) tags.set('title', decode(title).trim());
  return { tags };
}

export class PageMetadataReader {
  constructor(private readonly options: PageMetadataOptions) {}

  /**
   * The page's metadata; PAGE_MISSING when the site says the page does not exist; null when it
   * cannot be read otherwise (refused, unreachable, another status, too slow).
   */
  async read(url: string, headers: Record<string, string> = {}): Promise<PageMetadata | typeof PAGE_MISSING | null> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const address = await this.options.guard.resolve(host);
    if (address === null) return null;
    const html = await this.fetch(target, address, host, headers).catch(() => null);
    return html === null || html === PAGE_MISSING ? html : parsePageMetadata(html);
  }

  private fetch(target: URL, address: string, host: string, headers: Record<string, string>): Promise<string | typeof PAGE_MISSING | null> {
    const client = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        {
          host: address,
          port: target.port || (target.protocol === 'https:' ? 443 : 80),
          path: `${target.pathname}${target.search}`,
          method: 'GET',
          servername: isIP(host) ? undefined : host,
          headers: { ...headers, Host: target.host, Accept: 'text/html', 'User-Agent': 'pixelfarm-og/1' },
          timeout: this.options.timeoutMs,
        },
        (res) => {
          if (!res.statusCode || res.statusCode < 200 || res.statusCode >= 300) {
            res.resume();
            return resolve(res.statusCode === 404 || res.statusCode === 410 ? PAGE_MISSING : null);
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            // The head is what matters: stop at the limit and read what came.
            if (size >= this.options.maxBytes) res.destroy();
          });
          const done = () => resolve(Buffer.concat(chunks).subarray(0, this.options.maxBytes).toString('utf8'));
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      const timer = setTimeout(() => req.destroy(new Error('timed out')), this.options.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  }
}
