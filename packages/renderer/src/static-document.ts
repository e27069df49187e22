// Which create requests are static documents: HTML and CSS that render the same with scripting
// off. Those run on a pooled page with scripting disabled and replace the previous static
// document in place (document.open), with no navigation between jobs. A navigation costs more
// browser CPU than the render itself; it is only needed to drop a realm that page scripts may
// have touched, and with scripting off no page script ever runs.
//
// The test errs towards "scripted": a false "scripted" costs one navigation, a false "static"
// would render a page without its scripts (never a leak: scripting is off on that page, so
// nothing of an earlier job can be read). Markers of anything that runs script, renders
// differently without it, or leaves state on the document that outlives document.open:
//   <script>, on…= handlers, javascript: URLs   script
//   <noscript>, @media (scripting)                render differently with scripting off
//   <iframe>/<frame>/<object>/<embed>/…           nested documents (their own scripts, origins)
//   <meta http-equiv> (refresh, CSP), referrer    set on the document, not undone by document.open
import type { CreateImageRequest } from '@pixelfarm/schemas';

const SCRIPTED_MARKERS = [
  /<script\b/i,
  /<noscript\b/i,
  /<[^<>]*[\s/"'`]on[a-z]+\s*=/i,
  /javascript\s*:/i,
  /<(?:i?frame|frameset|object|embed|applet|portal|fencedframe)\b/i,
  /http-equiv/i,
  /referrer/i,
  /scripting/i,
];

export function isStaticDocument(html: string, css = ''): boolean {
  return !SCRIPTED_MARKERS.some((marker) => marker.test(html) || marker.test(css));
}

/** A create request that can render on a page with scripting off. */
export function isStaticRequest(request: CreateImageRequest): boolean {
  return request.html !== undefined && !request.render_when_ready && isStaticDocument(request.html, request.css);
}

// What can move a static document's scroll offset with no script and no input, which
// document.open would hand on to the next document: autofocus (scrolls the element into
// view), CSS scroll snapping and initial scroll targets (every scroll-* property is taken), and
// right-to-left or vertical roots, whose scroll origin is not the top left. Errs towards "may":
// such a document's page is navigated to a new about:blank after its job (page-pool.ts), which
// costs more browser CPU than the card.
const SELF_SCROLL_MARKERS = [/autofocus/i, /scroll/i, /(?:^|[^-\w])direction\s*:/i, /writing-mode/i, /\bdir\s*=/i];

/** Whether a static document may have scrolled its page by itself (see above). */
export function mayScrollItself(html: string, css = ''): boolean {
  return SELF_SCROLL_MARKERS.some((marker) => marker.test(html) || marker.test(css));
}
