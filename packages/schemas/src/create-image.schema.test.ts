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
    // PDF pages Chromium could never print (found by fuzzing: accepted, then every GET of the .pdf failed).
    ['pdf page too wide', { html: 'x', pdf_options: { page_width: 100_000, page_height: 100_000 } }, /pdf_options.page_width is larger than 200 inches/],
    ['pdf page too tall', { html: 'x', pdf_options: { page_width: '1mm', page_height: '99999999in' } }, /pdf_options.page_height is larger than 200 inches/],
    ['pdf margins wider than the page', { html: 'x', pdf_options: { margins: ['1in', '4.25in', '1in', '4.25in'] } }, /margins leave no room/],
    ['pdf margins taller than the page', { html: 'x', pdf_options: { page_height: '10cm', margins: ['5cm', 0, '50mm', 0] } }, /margins leave no room/],
    // Playwright prints 1 cm as 37.8 px: 10.794 cm is 4.25 in to it, and two of them fill a Letter page.
    ['pdf margins that fill the page in cm', { html: 'x', pdf_options: { margins: [0, '10.794cm', 0, '10.794cm'] } }, /margins leave no room/],
    ['pdf margins of a bad shape', { html: 'x', pdf_options: { margins: ['1in', 'x', '1in', '1in'] } }, /pdf_options.margins must be a number with px/],
  ])('%s', (_name, body, message) => {
    expect(bad(body)).toMatch(message);
  });

  it('accepts PDF pages up to the limit, in any unit, and margins that leave room', () => {
    const ok = (pdf_options: Record<string, unknown>) => expect(parseCreateImage(schema, { html: 'x', pdf_options }).pdf_options).toEqual(pdf_options);
    ok({ page_width: '200in', page_height: 19_200 }); // both exactly 200 inches
    ok({ page_width: '507.9cm', page_height: '5079mm' }); // just under, as Playwright counts cm and mm
    ok({ page_width: 0, page_height: '0cm' }); // 0 prints the default page
    ok({ margins: ['5in', '4.2in', '5.9in', '4.2in'] }); // on the default 8.5 x 11 in page
    expect(() => parseCreateImage(schema, { html: 'x', pdf_options: { page_width: '508cm' } })).toThrow('pdf_options.page_width is larger than 200 inches');
    const small = createImageSchema({ maxHtmlChars: 10, maxViewportWidth: 10, maxViewportHeight: 10, maxRenderPixels: 100, maxPdfPageInches: 20 });
    expect(() => parseCreateImage(small, { html: 'x', pdf_options: { page_width: '21in' } })).toThrow('pdf_options.page_width is larger than 20 inches');
  });

  it('coerces form strings', () => {
    const parsed = parseCreateImage(schema, { html: 'x', device_scale: '1.5', viewport_width: '300', viewport_height: '200', full_screen: 'true', headers: undefined });
    expect(parsed).toMatchObject({ device_scale: 1.5, viewport_width: 300, viewport_height: 200, full_screen: true });
    expect(parseCreateImage(schema, { url: 'https://a.example', headers: '{"X-A":"1"}' }).headers).toEqual({ 'X-A': '1' });
  });
});
