import { ValidationError } from '@pixelfarm/errors';
import { createImageSchema, parseCreateImage } from '@pixelfarm/schemas';

const schema = createImageSchema({ maxHtmlChars: 1000, maxViewportWidth: 6000, maxViewportHeight: 6000, maxRenderPixels: 40_000_000 });
const bad = (body: Record<string, unknown>) => {
  try {
    parseCreateImage(schema, body);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
};

describe('create request validation names the field', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['html and url together', { html: 'x', url: 'https://a.example' }, /either html or url/],
    ['neither', { css: 'b{}' }, /HTML is Required/],
    ['url scheme', { url: 'ftp://a.example' }, /url must be an http or https URL/],
    ['css type', { html: 'x', css: 5 }, /css must be a string/],
    ['html length', { html: 'x'.repeat(1001) }, /html is longer than 1000/],
    ['google_fonts shape', { html: 'x', google_fonts: 'Roboto<script>' }, /google_fonts/],
    ['selector empty', { html: 'x', selector: '' }, /selector/],
    ['ms_delay range', { html: 'x', ms_delay: -1 }, /ms_delay must be between/],
    ['max_wait_ms range', { html: 'x', max_wait_ms: 100 }, /max_wait_ms must be between 500 and 10000/],
    ['render_when_ready type', { html: 'x', render_when_ready: 'maybe' }, /render_when_ready must be true or false/],
    ['device_scale range', { html: 'x', device_scale: 3.5 }, /device_scale must be between 0.1 and 3/],
    ['viewport pair', { html: 'x', viewport_height: 100 }, /viewport_width and viewport_height must be given together/],
    ['viewport width', { html: 'x', viewport_width: 6001, viewport_height: 10 }, /viewport_width must be between/],
    ['viewport_mobile type', { html: 'x', viewport_mobile: 2 }, /viewport_mobile must be true or false/],
    ['full_screen type', { html: 'x', full_screen: 'yes please' }, /full_screen must be true or false/],
    ['color_scheme', { html: 'x', color_scheme: 'sepia' }, /color_scheme must be light or dark/],
    ['media_type', { html: 'x', media_type: 'tv' }, /media_type must be screen or print/],
    ['timezone', { html: 'x', timezone: 'Mars/Olympus_Mons' }, /timezone must be an IANA time zone/],
    ['transparent_background type', { html: 'x', transparent_background: [] }, /transparent_background must be true or false/],
    ['format', { html: 'x', format: 'gif' }, /format must be png, jpg, webp or pdf/],
    ['metadata type', { html: 'x', metadata: 'nope' }, /metadata/],
    ['headers without url', { html: 'x', headers: { 'X-A': '1' } }, /headers .* need url/],
    ['headers forbidden name', { url: 'https://a.example', headers: { Host: 'evil' } }, /headers may not set Host/],
    ['headers line break', { url: 'https://a.example', headers: { 'X-A': 'a\r\nB: c' } }, /line breaks/],
    ['unknown field', { html: 'x', colour: 'red' }, /Unknown field: colour/],
  ])('%s', (_name, body, message) => {
    expect(bad(body)).toMatch(message);
  });

  it('coerces form strings', () => {
    const parsed = parseCreateImage(schema, { html: 'x', device_scale: '1.5', viewport_width: '300', viewport_height: '200', full_screen: 'true', headers: undefined });
    expect(parsed).toMatchObject({ device_scale: 1.5, viewport_width: 300, viewport_height: 200, full_screen: true });
    expect(parseCreateImage(schema, { url: 'https://a.example', headers: '{"X-A":"1"}' }).headers).toEqual({ 'X-A': '1' });
  });
});
