// The fields of a saved definition as hcti's clients read it back (GET /v1/images/{id} and the
// template listings): every input of its kind, null where it was not given, so that a client
// comparing what it sent with what it reads (the Terraform provider) sees the same values.
// The lists are those the official Go client's management package sends for each kind.

const RENDER_OPTIONS = [
  'css',
  'device_scale',
  'google_fonts',
  'max_wait_ms',
  'ms_delay',
  'render_when_ready',
  'selector',
  'viewport_height',
  'viewport_width',
  'disable_twemoji',
  'color_scheme',
  'timezone',
  'viewport_mobile',
  'viewport_landscape',
  'viewport_touch',
  'media_type',
  'proxy_id',
  'storage_destination_id',
  'jumbo_max_height',
  'jumbo_max_width',
  'transparent_background',
  'request_overrides',
] as const;

const IMAGE_OPTIONS = ['metadata', 'pdf_options', 'max_render_once'] as const;
const URL_OPTIONS = ['full_screen', 'block_consent_banners', 'identify_as_hcti', 'headers', 'additional_header_origins', 'include_headers_on_subrequests'] as const;

export const DEFINITION_FIELDS = {
  template: ['html', 'name', 'description', ...RENDER_OPTIONS],
  /** An image's inputs, whatever its kind: html, url or a template reference. */
  image: ['html', 'url', ...RENDER_OPTIONS, ...IMAGE_OPTIONS, ...URL_OPTIONS, 'template_id', 'template_version', 'template_values', 'format'],
} as const;

/** `values` restricted to `fields`, each present: null where `values` has none. */
export function definitionOf(fields: readonly string[], values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, values[field] ?? null]));
}
