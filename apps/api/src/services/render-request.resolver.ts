// Turns a create into the plain render request the worker receives: a template reference is
// rendered here, in the API, with the template's defaults merged under the create's own options,
// and a storage destination named by the create (or its template) is captured; a proxy_id naming
// an account's own proxy must name an enabled one of the account.
import { isAccountProxyId, parseCreateImage, type CreateImageRequest, type createImageSchema } from '@pixelfarm/schemas';
import type { DestinationDirectory, DestinationRef } from '@pixelfarm/destinations';
import type { ProxyDirectory } from '@pixelfarm/proxies';
import type { TemplateService } from './template.service';
import type { TemplateRenderer } from './template-renderer';

export interface ResolvedRequest {
  /** What the worker renders: html or url, never a template reference. */
  request: CreateImageRequest;
  /** The template version it came from, if any. */
  template?: { id: string; version: number };
  /** The create as sent, when it named a template: what reading the image back shows. */
  definition?: CreateImageRequest;
  /**
   * The storage destination the image goes to, captured now: later edits of the destination (or
   * of the template that named it) do not change this image (hcti storage-destinations guide).
   */
  destination?: DestinationRef;
}

export interface RenderRequestResolverDeps {
  templates: Pick<TemplateService, 'find'>;
  renderer: Pick<TemplateRenderer, 'render'>;
  destinations: Pick<DestinationDirectory, 'capture'>;
  proxies: Pick<ProxyDirectory, 'capture'>;
  createSchema: ReturnType<typeof createImageSchema>;
}

/**
 * Lookups shared by the variations of one call (a batch, a bulk job): each template and each
 * destination is read from storage once, and every variation sees the same version of it.
 */
export class ResolveLookups {
  readonly templates = new Map<string, ReturnType<TemplateService['find']>>();
  readonly destinations = new Map<string, Promise<DestinationRef>>();
  readonly proxies = new Map<string, Promise<void>>();
}

export class RenderRequestResolver {
  constructor(private readonly deps: RenderRequestResolverDeps) {}

  async resolve(account: string, input: CreateImageRequest, lookups = new ResolveLookups()): Promise<ResolvedRequest> {
    const resolved = input.template_id === undefined ? { request: input } : await this.fromTemplate(account, input, lookups);
    const proxyId = resolved.request.proxy_id;
    if (isAccountProxyId(proxyId)) {
      let checked = lookups.proxies.get(proxyId);
      if (!checked) lookups.proxies.set(proxyId, (checked = this.deps.proxies.capture(account, proxyId)));
      await checked;
    }
    const destinationId = resolved.request.storage_destination_id;
    if (destinationId === undefined) return resolved;
    let captured = lookups.destinations.get(destinationId);
    if (!captured) lookups.destinations.set(destinationId, (captured = this.deps.destinations.capture(account, destinationId)));
    return { ...resolved, destination: await captured };
  }

  private async fromTemplate(account: string, input: CreateImageRequest, lookups: ResolveLookups): Promise<ResolvedRequest> {
    const { template_id, template_version, template_values, ...own } = input;
    const key = `${template_id}@${template_version ?? 'latest'}`;
    let found = lookups.templates.get(key);
    if (!found) lookups.templates.set(key, (found = this.deps.templates.find(account, template_id!, template_version)));
    const template = await found;
    const values = template_values ?? {};
    const stored = { account, templateId: template_id!, version: template.version };
    const html = this.deps.renderer.render({ ...stored, field: 'html', source: template.html }, values);
    // CSS is text inside a style element: HTML entities would only corrupt its quotes.
    const css = template.css !== null ? this.deps.renderer.render({ ...stored, field: 'css', source: template.css }, values, false) : undefined;
    const merged = { ...template.options, ...(css !== undefined ? { css } : {}), ...own, html };
    // Validated again: the rendered html counts against the same limits as any other html.
    return { request: parseCreateImage(this.deps.createSchema, merged), template: { id: template_id!, version: template.version }, definition: input };
  }
}
