// Open Graph image configurations (hcti getting-started/og-images, management-api/og-configs):
// one website origin of an account, and how its pages become social cards at the public URL
// /v1/og/{domain_id}/{path}. The shape is hcti's, as the Terraform provider and the Go client read it.

export const OG_CONFIG_TYPES = ['html_css', 'templated'] as const;
export type OgConfigType = (typeof OG_CONFIG_TYPES)[number];
export const OPTIMIZATION_MODES = ['no_optimization', 'post_process', 'set_viewport'] as const;
export type OptimizationMode = (typeof OPTIMIZATION_MODES)[number];

/** The image options an html_css configuration may set, in the Go client's order (OGDefaultImageOptions). */
export const OG_DEFAULT_OPTION_NAMES = [
  'request_overrides',
  'css',
  'device_scale',
  'max_wait_ms',
  'ms_delay',
  'render_when_ready',
  'selector',
  'viewport_height',
  'viewport_width',
  'disable_twemoji',
  'color_scheme',
  'timezone',
  'block_consent_banners',
  'identify_as_hcti',
  'headers',
  'additional_header_origins',
  'include_headers_on_subrequests',
  'viewport_mobile',
  'viewport_landscape',
  'viewport_touch',
  'media_type',
  'proxy_id',
  'storage_destination_id',
  'transparent_background',
] as const;
export type OgDefaultOptionName = (typeof OG_DEFAULT_OPTION_NAMES)[number];
/** Every option present, null when unset (hcti answers them so). */
export type OgDefaultOptions = Record<OgDefaultOptionName, unknown>;

export interface OgTemplateValueMapping {
  template_key: string;
  meta_key: string | null;
  fallback: 'titles' | 'descriptions' | null;
}

/** A configuration as answered. */
export interface OgConfig {
  /** "og-<uuid>": management requests name it. */
  id: string;
  /** What the public image URL names: /v1/og/{domain_id}/{path}. */
  domain_id: string;
  config_type: OgConfigType;
  name: string;
  description: string | null;
  /** The website origin (https, or http for a host URL_ALLOWLIST opens). */
  base_url: string;
  optimization_mode: OptimizationMode;
  enabled: boolean;
  refresh_interval_s: number;
  /** html_css: every option, null when unset; templated: null. */
  default_options: OgDefaultOptions | null;
  extract_values: boolean;
  template_id: string | null;
  template_version: number | null;
  template_values_mapping: OgTemplateValueMapping[] | null;
  headers: Record<string, string> | null;
  additional_header_origins: string[] | null;
  created_at: string;
  updated_at: string;
}

export interface OgConfigRecord extends OgConfig {
  account: string;
}
