// Custom request headers of a url capture, request by request, by hcti's rules
// (htmlcsstoimage/docs parameters/headers.md and parameters/identify_as_hcti.md):
//   - `headers` go with top-level navigations to the url's origin, and to the origins listed in
//     additional_header_origins; with include_headers_on_subrequests, also with subrequests
//     (CSS, images, scripts, frames, fetch) to those origins; never to any other origin;
//   - User-Agent is the browser's own for the whole render (set on the context, see userAgentOf);
//   - identify_as_hcti adds X-HCTI-SCREENSHOT: 1 to top-level navigations only.
// Each hop of a redirect is judged on its own origin (request-interception.ts applies the plan).
import { BROWSER_WIDE_HEADER, type CreateImageRequest } from '@pixelfarm/schemas';

/** identify_as_hcti's header, exactly as hcti documents it. */
export const HCTI_SCREENSHOT_HEADER = { name: 'X-HCTI-SCREENSHOT', value: '1' } as const;

/** What a render adds to which requests. */
export interface HeaderPlan {
  /** `headers` without User-Agent (which the context applies everywhere). */
  headers: Record<string, string>;
  /** Origins that may receive them: the url's and additional_header_origins. */
  origins: ReadonlySet<string>;
  /** include_headers_on_subrequests. */
  subrequests: boolean;
  /** identify_as_hcti. */
  identify: boolean;
}

/** The plan of a request, or null when it adds nothing to any request. */
export function headerPlanOf(request: CreateImageRequest): HeaderPlan | null {
  if (!request.url) return null;
  const headers = Object.fromEntries(Object.entries(request.headers ?? {}).filter(([name]) => name.toLowerCase() !== BROWSER_WIDE_HEADER));
  const identify = request.identify_as_hcti === true;
  if (Object.keys(headers).length === 0 && !identify) return null;
  return {
    headers,
    origins: new Set([new URL(request.url).origin, ...(request.additional_header_origins ?? [])]),
    subrequests: request.include_headers_on_subrequests === true,
    identify,
  };
}

/** The User-Agent the browser uses for every request of this render, when `headers` sets one. */
export function userAgentOf(request: CreateImageRequest): string | undefined {
  return Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === BROWSER_WIDE_HEADER)?.[1];
}

/** The headers one request gets: `topLevel` is a navigation of the page's main frame. */
export function headersFor(plan: HeaderPlan, url: string, topLevel: boolean): Record<string, string> {
  const extra: Record<string, string> = {};
  if (topLevel && plan.identify) extra[HCTI_SCREENSHOT_HEADER.name] = HCTI_SCREENSHOT_HEADER.value;
  if ((topLevel || plan.subrequests) && plan.origins.has(originOf(url))) Object.assign(extra, plan.headers);
  return extra;
}

/** The request headers with `extra` set, replacing any of the same name whatever its case. */
export function mergeHeaders(original: Record<string, string>, extra: Record<string, string>): { name: string; value: string }[] {
  const replaced = new Set(Object.keys(extra).map((n) => n.toLowerCase()));
  return [
    ...Object.entries(original)
      .filter(([name]) => !replaced.has(name.toLowerCase()))
      .map(([name, value]) => ({ name, value })),
    ...Object.entries(extra).map(([name, value]) => ({ name, value })),
  ];
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}
