// What each request field means, in a user's words, for the generated API docs. Types, limits and
// patterns are not repeated here: the docs take them from the schemas themselves.
import type { z } from 'zod';
import type { createImageSchema } from './create-image.schema';

export type CreateImageInput = z.input<ReturnType<typeof createImageSchema>>;

/** One sentence per create field; the OpenAPI test fails when a field has none. */
export const CREATE_FIELD_DOCS = {
  html: 'HTML to render: a snippet (auto-cropped to its outermost element) or a whole document (rendered at the viewport size).',
  url: 'An http(s) page to capture instead of html.',
  css: 'Extra CSS injected into the page (with html or url).',
  google_fonts: 'Font families to load, such as "Roboto" or "Open Sans|Roboto:400,700" (from the configured fonts CSS endpoint).',
  selector: 'Crop to the first element matching this CSS selector; 400 if nothing matches.',
  ms_delay: 'Extra wait in milliseconds after the page has loaded, up to 20,000 (on top of max_wait_ms).',
  max_wait_ms: 'Upper bound in milliseconds on all waiting before the capture.',
  render_when_ready: 'Capture only after the page calls ScreenshotReady() or an element #HCTIReadyNow appears.',
  device_scale: 'Pixel ratio; default 2 for html, 1 for url.',
  viewport_width: 'Viewport width in CSS pixels (with viewport_height; setting both disables auto-crop). Default 1920.',
  viewport_height: 'Viewport height in CSS pixels (with viewport_width). Default 1080.',
  viewport_mobile: 'Emulate a mobile device.',
  viewport_landscape: 'Emulate landscape orientation.',
  viewport_touch: 'Emulate a touch screen.',
  full_screen: 'Capture the full page height (url mode).',
  color_scheme: 'prefers-color-scheme the page sees.',
  media_type: 'CSS media type to emulate.',
  timezone: 'IANA time zone of the browser, such as Europe/Paris; 400 if unknown.',
  transparent_background: 'Omit the default white background (PNG keeps alpha).',
  disable_twemoji: 'Use the native emoji font instead of the bundled emoji rendering.',
  block_consent_banners: 'Hide common cookie and consent banners (url mode).',
  metadata: 'Your own key/values, stored with the image and returned by the listing.',
  callback_url:
    'An http(s) URL that receives {id, url, status, error?} as a signed JSON POST when the render is stored or has failed for good: Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature with your webhook secret), and the legacy X-Signature: sha256=<HMAC of the body with your API key>.',
  format: 'Extension of the returned url (png, jpg or jpeg, webp, pdf); the image can be fetched in any format later.',
  pdf_options: 'Page size (number of px, or a string with px/in/cm/mm/pt), scale, margins [top, right, bottom, left] and print_background for the .pdf of this image.',
  headers:
    "Custom request headers for a url capture (hcti parameters/headers.md): at most 20, names unique case-insensitively; hop-by-hop, Host, Proxy-*, Sec-* and X-Forwarded-* refused. Sent with top-level navigations to the url's origin (and additional_header_origins) only; User-Agent applies to every request. Forms and signed URLs repeat headers=Name:value. Ignored for html and templates, as hcti does.",
  additional_header_origins: 'Other exact http(s) origins (scheme://host[:port], at most 20) that also receive headers; needs headers. Forms and signed URLs repeat the field.',
  include_headers_on_subrequests: "Also send headers with subresource requests (CSS, images, scripts, frames) to the url's origin and additional_header_origins. Default false.",
  identify_as_hcti: 'Add X-HCTI-SCREENSHOT: 1 to the top-level page request of a url capture (not to subrequests). Ignored for html and templates.',
  request_overrides:
    'Browser requests to block while the page renders (hcti parameters/request_overrides): at most 100 rules {"action":"block","url":"*://cdn.example.com/*.js","resource_types":["script"]}, each with a url wildcard (whole URL, * any run, case-sensitive), resource_types, or both (both must match); any matching rule blocks. Forms send the array as one JSON field; not in signed create-and-render URLs.',
  jumbo_max_width:
    'Jumbo render (hcti guides/advanced/jumbo-images.md): largest output width in px after device_scale, with jumbo_max_height; one side over 8,000, each at most 80,000, area at most 400,000,000; not with pdf_options. Captured in tiles of at most 8,000 x 8,000 and stitched; scaled down, keeping the aspect ratio, only when the page is larger than the maxima.',
  jumbo_max_height: 'Largest output height in px of a jumbo render, with jumbo_max_width.',
  storage_destination_id: "Also write the image to this storage destination of your account (its bucket), or only there when the destination keeps no copy here: the create then answers a /v1/store URL to PUT. 400 if the account has no such enabled destination.",
  proxy_id: "Send all of the render's page traffic through this operator-configured upstream proxy (PROXIES); the egress policy still applies. 400 if no such proxy is configured.",
  template_id: 'Render this template (t-<uuid>) instead of html or url.',
  template_version: 'Template version (ms timestamp) to render; default the latest.',
  template_values: 'Values substituted into the template with Handlebars ({{x}} escaped, {{{x}}} raw).',
  dedupe_duration_s: 'Return the existing image when an identical one was created within this many seconds (0 = off). Default 30 days for html, 0 for url.',
  max_render_once:
    'Render this image at creation only, never later: every format is made from that render; a PDF it asks for (format pdf or pdf_options) is printed at creation too, and any other .pdf request answers 422.',
} satisfies Partial<Record<keyof CreateImageInput, string>>;

/** Fields of request bodies other than the create fields. */
export const OTHER_FIELD_DOCS = {
  name: 'Name of the template (shown in the listing).',
  description: 'What the template is for.',
  default_options: 'Create fields applied to every variation (a variation overrides them).',
  variations: 'One create per entry, merged over default_options and validated as a single create.',
  ids: 'Ids of the images to delete.',
  count: 'Images per page, newest first.',
  page_token: 'next_page_token of the previous page.',
  width: 'Resize to this width in px (alone: keeps the aspect ratio).',
  height: 'Resize to this height in px (alone: keeps the aspect ratio).',
  limit: 'Images of the batch per page.',
  dpi: 'Pixels per inch written into the file\'s density metadata (the pixels are unchanged).',
  dl: '1: served as an attachment named <id>.<ext>.',
  aspect_ratio:
    'Crop to this ratio (16_9, 1_1): alone, the largest such region; with crop_width or crop_height (or x_1/x_2, y_1/y_2), the other side follows from the ratio.',
  x_1: 'Left edge of the crop, in px or % of the width; with x_2 or crop_width (alone: to the right edge).',
  y_1: 'Top edge of the crop, in px or % of the height; with y_2 or crop_height (alone: to the bottom edge).',
  x_2: 'Right edge of the crop, in px or %; needs x_1, greater than it; not with crop_width.',
  y_2: 'Bottom edge of the crop, in px or %; needs y_1, greater than it; not with crop_height.',
  crop_width: 'Width of the crop, in px or %: from x_1, or placed by x_origin, or with aspect_ratio (which then gives the height).',
  crop_height: 'Height of the crop, in px or %: from y_1, or placed by y_origin, or with aspect_ratio (which then gives the width).',
  x_origin:
    'Where a crop without x_1 sits: the point (px such as 100px, or %) it is centred on, kept inside the image; start, center (default) and end are 0%, 50% and 100%. Needs crop_width or aspect_ratio.',
  y_origin: 'Where a crop without y_1 sits: px or %, start, center (default) or end, as x_origin. Needs crop_height or aspect_ratio.',
} as const;
