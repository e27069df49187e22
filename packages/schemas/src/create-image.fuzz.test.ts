// Property-based fuzzing of the create validator: whatever a client sends, the outcome is a
// parsed request or a ValidationError with a readable message, never anything else.
import fc from 'fast-check';
import { ValidationError } from '@pixelfarm/errors';
import { createImageSchema, parseCreateImage } from '@pixelfarm/schemas';

/** The limits these tests do not vary, at the configuration's defaults (hcti's jumbo limits, no proxies). */
const OTHER_LIMITS = { maxPdfPageInches: 200, jumbo: { maxSide: 80_000, maxPixels: 400_000_000 }, proxyIds: [] as string[] };

const schema = createImageSchema({ ...OTHER_LIMITS, maxHtmlChars: 5000, maxViewportWidth: 6000, maxViewportHeight: 6000, maxRenderPixels: 40_000_000 });
const FIELDS = [
  'html', 'url', 'css', 'google_fonts', 'selector', 'ms_delay', 'max_wait_ms', 'render_when_ready', 'device_scale',
  'viewport_width', 'viewport_height', 'viewport_mobile', 'viewport_landscape', 'viewport_touch', 'full_screen',
  'color_scheme', 'media_type', 'timezone', 'transparent_background', 'disable_twemoji', 'block_consent_banners',
  'metadata', 'format', 'headers', 'pdf_options', 'template_id', 'template_version', 'template_values',
  'dedupe_duration_s', 'max_render_once', 'callback_url', '__proto__', 'constructor',
];

// Values of every JSON type plus the strings form bodies send.
const value = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.string(),
  fc.constantFrom('true', 'false', '2', '-1', '1e9', 'NaN', '', ' ', '<div>x</div>', 'https://example.com', 'Europe/Paris', 't-00000000-0000-4000-8000-000000000000', '{"a":1}'),
  fc.double(),
  fc.integer(),
);
const body = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), value, { maxKeys: 8 });

function outcome(input: unknown): 'ok' | 'invalid' {
  try {
    parseCreateImage(schema, input);
    return 'ok';
  } catch (err) {
    if (err instanceof ValidationError && err.message.length > 0 && err.message.length < 500) return 'invalid';
    throw err;
  }
}

describe('create validator under fuzzing', () => {
  it('answers any object body with a parse or a ValidationError', () => {
    fc.assert(fc.property(body, (b) => ['ok', 'invalid'].includes(outcome(b))), { numRuns: 3000 });
  });

  it('answers any JSON value at all (arrays, null, strings) the same way', () => {
    fc.assert(fc.property(fc.anything(), (b) => ['ok', 'invalid'].includes(outcome(b))), { numRuns: 2000 });
  });

  it('never accepts a body without exactly one of html, url or template_id', () => {
    fc.assert(
      fc.property(body, (b) => {
        const sources = ['html', 'url', 'template_id'].filter((k) => typeof b[k] === 'string');
        if (outcome(b) === 'ok') return sources.length === 1;
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
