// Turns a create into the plain render request the worker receives: a template reference is
// rendered here, in the API, with the template's defaults merged under the create's own options.
import { parseCreateImage, type CreateImageRequest, type createImageSchema } from '@pixelfarm/schemas';
import type { TemplateService } from './template.service';
import type { TemplateRenderer } from './template-renderer';

export interface ResolvedRequest {
  /** What the worker renders: html or url, never a template reference. */
  request: CreateImageRequest;
  /** The template version it came from, if any. */
  template?: { id: string; version: number };
}

export interface RenderRequestResolverDeps {
  templates: Pick<TemplateService, 'find'>;
  renderer: Pick<TemplateRenderer, 'render'>;
  createSchema: ReturnType<typeof createImageSchema>;
}

/**
 * Template lookups shared by the variations of one call (a batch, a bulk job): each template is
 * read from storage once, and every variation renders the same version of it.
 */
export type TemplateLookups = Map<string, ReturnType<TemplateService['find']>>;

export class RenderRequestResolver {
  constructor(private readonly deps: RenderRequestResolverDeps) {}

  async resolve(account: string, input: CreateImageRequest, lookups: TemplateLookups = new Map()): Promise<ResolvedRequest> {
    if (input.template_id === undefined) return { request: input };
    const { template_id, template_version, template_values, ...own } = input;
    const key = `${template_id}@${template_version ?? 'latest'}`;
    let found = lookups.get(key);
    if (!found) lookups.set(key, (found = this.deps.templates.find(account, template_id, template_version)));
    const template = await found;
    const values = template_values ?? {};
    const stored = { account, templateId: template_id, version: template.version };
    const html = this.deps.renderer.render({ ...stored, field: 'html', source: template.html }, values);
    // CSS is text inside a style element: HTML entities would only corrupt its quotes.
    const css = template.css !== null ? this.deps.renderer.render({ ...stored, field: 'css', source: template.css }, values, false) : undefined;
    const merged = { ...template.options, ...(css !== undefined ? { css } : {}), ...own, html };
    // Validated again: the rendered html counts against the same limits as any other html.
    return { request: parseCreateImage(this.deps.createSchema, merged), template: { id: template_id, version: template.version } };
  }
}
