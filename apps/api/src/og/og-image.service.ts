// The public Open Graph image of a page (hcti getting-started/og-images, guides/debugging/
// og-image-caching): /v1/og/{domain_id}/{path} names a configuration and a page of its site.
// The first request for a path reads the page's metadata and renders its image; later requests,
// until the refresh interval has passed, are answered from storage without touching the site;
// after it, the image in hand is answered while the page is checked again in the background,
// and the render is reused unless what it depends on (the configuration, the page's metadata,
// hcti:content_version) changed. Query strings are ignored.
import { createHash } from 'node:crypto';
import { NotFoundError } from '@pixelfarm/errors';
import { parseCreateImage, type CreateImageRequest, type createImageSchema } from '@pixelfarm/schemas';
import type { Logger } from '@pixelfarm/config';
import { imageKeys, type StorageDriver } from '@pixelfarm/storage';
import type { ImageCreateService } from '../services/image-create.service';
import type { OgConfigRecord } from './og-config';
import { setOptions } from './og-config-body';
import type { OgConfigStore } from './og-config-store';
import { PAGE_MISSING, type PageMetadata, type PageMetadataReader } from './page-metadata';
import { crawlerViewport, GENERIC_CARD, type Viewport } from './crawler-viewport';


/** Page metadata that may override an html_css configuration's options (hcti:<name>), when extract_values is on. */
const PAGE_OPTIONS = [
  'selector',
  'css',
  'ms_delay',
  'max_wait_ms',
  'render_when_ready',
  'transparent_background',
  'device_scale',
  'viewport_width',
  'viewport_height',
  'color_scheme',
  'timezone',
  'media_type',
  'viewport_mobile',
  'viewport_landscape',
  'viewport_touch',
  'disable_twemoji',
  'block_consent_banners',
] as const;

const FALLBACKS = {
  titles: ['og:title', 'twitter:title', 'title'],
  descriptions: ['og:description', 'twitter:description', 'description'],
} as const;

/** The image answering a page: its id, how long caches may keep it, and the size to scale it down to. */
export interface OgImageAnswer {
  id: string;
  maxAgeS: number;
  fit?: Viewport;
}

/** What is rendered: a page, at the requesting platform's size under set_viewport. */
interface OgTarget {
  pagePath: string;
  viewport?: Viewport;
}

/** Which image answers a path, and when the page was last checked. */
interface OgImageEntry {
  image_id: string;
  /** The render's size in pixels (from its PNG header), for fitting it into a platform's bounds. */
  width?: number;
  height?: number;
  /** The configuration version it was made for (updated_at): another version is checked at once. */
  config_version: string;
  checked_at: number;
}

export interface OgImageServiceDeps {
  configs: Pick<OgConfigStore, 'byDomain'>;
  storage: Pick<StorageDriver, 'get' | 'put' | 'stream'>;
  creator: Pick<ImageCreateService, 'ensure'>;
  metadata: Pick<PageMetadataReader, 'read'>;
  createSchema: ReturnType<typeof createImageSchema>;
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
}

export class OgImageService {
  private readonly refreshing = new Set<string>();

  constructor(private readonly deps: OgImageServiceDeps) {}

  /**
   * The image id answering a page of the domain, rendered now if there is none yet.
   * `beforeRender` runs only when a render is needed (the account's rate limit). With
   * optimization_mode set_viewport, each platform (told by `userAgent`) gets a render at its own
   * size; with post_process (the default) the one render is answered scaled down to fit inside
   * the platform's bounds (`fit`, never stretched nor enlarged); no_optimization answers it as is.
   */
  async imageFor(domainId: string, path: string, userAgent?: string, beforeRender?: (account: string) => Promise<void>): Promise<OgImageAnswer> {
    const config = await this.deps.configs.byDomain(domainId);
    if (!config || !config.enabled) throw new NotFoundError(`No enabled Open Graph configuration has the domain id ${JSON.stringify(domainId.slice(0, 64))}`);
    const pagePath = `/${path.replace(/^\/+/, '')}`;
    const viewport = config.optimization_mode === 'set_viewport' ? crawlerViewport(userAgent) : undefined;
    const target = { pagePath, viewport };
    const entryKey = `og-images/${domainId}/${createHash('sha256').update(pagePath).digest('hex')}${viewport ? `-${viewport.width}x${viewport.height}` : ''}.json`;
    const entry = await this.entry(entryKey);
    const now = (this.deps.now ?? Date.now)();
    let current = entry;
    if (entry && entry.config_version === config.updated_at) {
      if (now - entry.checked_at >= config.refresh_interval_s * 1000) this.refreshLater(entryKey, config, target, entry);
    } else {
      current = await this.check(entryKey, config, target, beforeRender);
    }
    const fit = config.optimization_mode === 'post_process' ? fitInside(current!, crawlerViewport(userAgent)) : undefined;
    return { id: current!.image_id, maxAgeS: config.refresh_interval_s, ...(fit ? { fit } : {}) };
  }

  /** Reads the page, renders (or reuses) its image, and records the answer. */
  private async check(entryKey: string, config: OgConfigRecord, target: OgTarget, beforeRender?: (account: string) => Promise<void>): Promise<OgImageEntry> {
    const source = `${config.base_url}${target.pagePath}`;
    const headers = config.headers ?? (config.default_options?.headers as Record<string, string> | null) ?? {};
    const metadata = await this.deps.metadata.read(source, headers);
    // The URL is public and names any path: without this, every made-up path of the site would
    // be rendered and stored on the account. Pages that cannot be read for other reasons (a
    // redirect, a slow or unreachable site) still get an image from the configuration alone.
    if (metadata === PAGE_MISSING) throw new NotFoundError(`The site has no page at ${JSON.stringify(target.pagePath.slice(0, 256))}; no image is made for it`);
    const request = this.requestFor(config, source, target, metadata);
    const created = await this.deps.creator.ensure(config.account, request, beforeRender ? { beforeRender: () => beforeRender(config.account) } : {});
    const size = await storedPngSize(this.deps.storage, imageKeys.original(created.id));
    const entry: OgImageEntry = { image_id: created.id, ...size, config_version: config.updated_at, checked_at: (this.deps.now ?? Date.now)() };
    await this.deps.storage.put(entryKey, Buffer.from(JSON.stringify(entry)), 'application/json');
    return entry;
  }

  /** Stale: answer with what is there, check the page once in the background. */
  private refreshLater(entryKey: string, config: OgConfigRecord, target: OgTarget, entry: OgImageEntry): void {
    if (this.refreshing.has(entryKey)) return;
    this.refreshing.add(entryKey);
    this.check(entryKey, config, target)
      .catch((err: unknown) => this.deps.logger.warn('OG image refresh failed; the previous image stays', { domain: config.domain_id, image: entry.image_id, err: String(err) }))
      .finally(() => this.refreshing.delete(entryKey));
  }

  /** The create that renders the page's image, from the configuration and the page's metadata. */
  private requestFor(config: OgConfigRecord, source: string, target: OgTarget, metadata: PageMetadata | null): CreateImageRequest {
    const { pagePath, viewport } = target;
    const size = viewport ? { viewport_width: viewport.width, viewport_height: viewport.height } : {};
    const tags = metadata?.tags ?? new Map<string, string>();
    // Part of the image's identity: a new content version (or path) is a new render.
    const identity = { og_domain_id: config.domain_id, og_path: pagePath, ...(tags.get('hcti:content_version')?.match(/^\d{1,15}$/) ? { og_content_version: tags.get('hcti:content_version')! } : {}) };
    if (config.config_type === 'templated') {
      return parseCreateImage(this.deps.createSchema, {
        template_id: config.template_id,
        ...(config.template_version !== null ? { template_version: config.template_version } : {}),
        template_values: templateValues(config, tags),
        ...size,
        metadata: identity,
      });
    }
    const base: Record<string, unknown> = {
      url: source,
      viewport_width: GENERIC_CARD.width,
      viewport_height: GENERIC_CARD.height,
      device_scale: 1,
      ...setOptions(config.default_options),
      ...size,
      metadata: identity,
    };
    const request = parseCreateImage(this.deps.createSchema, base);
    if (!config.extract_values) return request;
    // Page metadata takes precedence over the configuration; an override the create rules refuse is left out.
    let merged = request;
    for (const name of PAGE_OPTIONS) {
      const value = tags.get(`hcti:${name}`);
      // set_viewport: the platform's size is the point of the mode.
      if (value === undefined || (viewport && (name === 'viewport_width' || name === 'viewport_height'))) continue;
      try {
        merged = parseCreateImage(this.deps.createSchema, { ...merged, [name]: value });
      } catch {
        // Keeps the configuration's value.
      }
    }
    return merged;
  }

  private async entry(key: string): Promise<OgImageEntry | null> {
    const raw = await this.deps.storage.get(key);
    return raw ? (JSON.parse(raw.toString('utf8')) as OgImageEntry) : null;
  }
}

/** The size that fits the render inside the bounds keeping its proportions, or undefined when it fits already (or is unknown). */
function fitInside(entry: OgImageEntry, bounds: Viewport): Viewport | undefined {
  if (!entry.width || !entry.height) return undefined;
  const scale = Math.min(bounds.width / entry.width, bounds.height / entry.height);
  if (scale >= 1) return undefined;
  return { width: Math.max(1, Math.round(entry.width * scale)), height: Math.max(1, Math.round(entry.height * scale)) };
}

/** A stored PNG's size, from its first bytes only: the image itself may be megabytes. */
async function storedPngSize(storage: Pick<StorageDriver, 'stream'>, key: string): Promise<{ width?: number; height?: number }> {
  const object = await storage.stream(key);
  if (!object) return {};
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of object.body) {
      head = Buffer.concat([head, chunk as Buffer]);
      if (head.length >= 24) break;
    }
  } finally {
    object.body.destroy();
  }
  return pngSize(head);
}

/** Width and height from a PNG's IHDR chunk; nothing when the bytes are not a PNG. */
function pngSize(png: Buffer | null): { width?: number; height?: number } {
  if (!png || png.length < 24 || png.readUInt32BE(0) !== 0x89504e47 || png.toString('latin1', 12, 16) !== 'IHDR') return {};
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** html:tv:<key> values, then the configuration's mappings for keys the page did not set. JSON values are parsed. */
function templateValues(config: OgConfigRecord, tags: ReadonlyMap<string, string>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const m of config.template_values_mapping ?? []) {
    const value = m.meta_key !== null ? tags.get(m.meta_key) : FALLBACKS[m.fallback!].map((k) => tags.get(k)).find((v) => v !== undefined && v !== '');
    if (value !== undefined) values[m.template_key] = value;
  }
  for (const [key, value] of tags) {
    if (key.startsWith('html:tv:')) values[key.slice('html:tv:'.length)] = jsonOrText(value);
  }
  return values;
}

function jsonOrText(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
