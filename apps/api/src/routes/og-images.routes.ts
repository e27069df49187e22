// GET /v1/og/{domain_id}/{path}: the public Open Graph image of a page of a configured site
// (hcti getting-started/og-images), for the og:image and twitter:image tags of the page. No
// credentials: the domain id names the configuration and its account. Renders count against the
// account's rate limit (when one is set); images already made are served freely. Query strings are ignored.
import type { RateLimiter } from '../services/rate-limiter';
import type { VariantService } from '../services/variant.service';
import type { OgImageService } from '../og/og-image.service';
import type { ImageDelivery } from '../http/image-delivery';
import { limitBeforeRender } from '../http/rate-limit.middleware';
import type { Route } from '../http/route';
import { error, imageResponse } from '../docs/route-docs';

export interface OgImagesRoutesDeps {
  images: Pick<OgImageService, 'imageFor'>;
  variants: Pick<VariantService, 'locate'>;
  deliver: ImageDelivery;
  /** The per-account render limit (RATE_LIMIT_PER_MINUTE), when one is set. */
  limiter?: Pick<RateLimiter, 'hit' | 'headers'>;
}

export function ogImagesRoutes(deps: OgImagesRoutesDeps): Route[] {
  return [
    {
      id: 'getOgImage',
      method: 'get',
      path: '/v1/og/{domain_id}',
      mount: true,
      tag: 'Open Graph images',
      summary: "The Open Graph image of a page: /v1/og/{domain_id}/{path} shows the configured site's page at {path}",
      description:
        'The first request for a path renders it; later ones are served from storage until the refresh interval passes, then the page is checked again in the background. ' +
        'Query strings are ignored. Unknown or disabled domain ids are a 404, and so is a path the site answers 404 or 410 for (nothing is rendered for it).',
      access: 'public',
      pathParams: { domain_id: { description: "The configuration's domain_id", example: 'k3v9q2x7m1c8w5r0t4za' } },
      responses: { 200: imageResponse, 404: error('No enabled configuration has this domain id, or the site has no such page') },
      handler: async (req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        const { id, maxAgeS, fit } = await deps.images.imageFor(String(req.params.domain_id), req.path, req.get('user-agent'), (account) => limitBeforeRender(deps.limiter, account, res)());
        // post_process: the one render scaled down to the platform's bounds, a variant made once and kept.
        const image = await deps.variants.locate(id, { format: 'png', ...(fit ? { width: fit.width, height: fit.height } : {}) });
        // Varies with the crawler (set_viewport, post_process): shared caches must keep one per User-Agent.
        res.vary('User-Agent');
        await deps.deliver(req, res, image, { download: false, filename: `${id}.png`, cacheControl: `public, max-age=${maxAgeS}` });
      },
    },
  ];
}
