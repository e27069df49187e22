// A create request interpreted once into what the renderer does with it: the page it needs
// (a warm pooled page, scripting on or off, or a browser context of its own), the viewport and
// scale, where the content comes from, and how it ends (a capture or a print). Every later
// step reads the plan, never the request's options again (issue #23).
import type { CreateImageRequest } from '@pixelfarm/schemas';
import { DEFAULT_MAX_WAIT_MS, deviceScaleOf, viewportOf, type Viewport } from './page-session';
import { isStaticRequest } from './static-document';

export type RenderOutputKind = 'capture' | 'print';

/**
 * Where a render runs: a pooled page with scripting off (static html), a pooled page with
 * scripting on, or a fresh context (mobile or touch emulation, url captures whose cookies and
 * storage span origins, prints, and renders through an upstream proxy).
 */
export type Isolation = 'static' | 'scripted' | 'context';

export interface RenderPlan {
  request: CreateImageRequest;
  output: RenderOutputKind;
  isolation: Isolation;
  viewport: Viewport;
  scale: number;
  /** How long the page may take to load and settle (max_wait_ms). */
  maxWaitMs: number;
}

export function planRender(request: CreateImageRequest, output: RenderOutputKind): RenderPlan {
  return {
    request,
    output,
    isolation: isolationOf(request, output),
    viewport: viewportOf(request),
    scale: deviceScaleOf(request),
    maxWaitMs: request.max_wait_ms ?? DEFAULT_MAX_WAIT_MS,
  };
}

function isolationOf(request: CreateImageRequest, output: RenderOutputKind): Isolation {
  // proxy_id: the context's own proxy carries its traffic (upstream-relay.ts).
  if (output === 'print' || request.html === undefined || request.viewport_mobile || request.viewport_touch || request.proxy_id) return 'context';
  return isStaticRequest(request) ? 'static' : 'scripted';
}
