import { ValidationError } from '@pixelfarm/errors';
import { createImageSchema, parseCreateImage, printLength } from '@pixelfarm/schemas';

/** The limits these tests do not vary, at the configuration's defaults (hcti's jumbo limits, no proxies). */
const OTHER_LIMITS = { maxPdfPageInches: 200, jumbo: { maxSide: 80_000, maxPixels: 400_000_000 }, proxyIds: [] as string[] };

const schema = createImageSchema({ ...OTHER_LIMITS, maxHtmlChars: 1000, maxViewportWidth: 6000, maxViewportHeight: 6000, maxRenderPixels: 40_000_000 });
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
    ['ms_delay over 20 s', { html: 'x', ms_delay: 20_001 }, /ms_delay must be between 0 and 20000/],
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
    ['format', { html: 'x', format: 'gif' }, /format must be png, jpg, jpeg, webp or pdf/],
    ['metadata type', { html: 'x', metadata: 'nope' }, /metadata/],
    ['headers forbidden name', { url: 'https://a.example', headers: { Host: 'evil' } }, /^headers: Host cannot be set/],
    ['headers line break', { url: 'https://a.example', headers: { 'X-A': 'a\r\nB: c' } }, /control character \(line breaks included; only tab is allowed\)/],
    ['unknown field', { html: 'x', colour: 'red' }, /Unknown field: colour/],
    // PDF pages Chromium could never print (found by fuzzing: accepted, then every GET of the .pdf failed).
    ['pdf page too wide', { html: 'x', pdf_options: { page_width: 100_000, page_height: 100_000 } }, /pdf_options.page_width is larger than 200 inches/],
    ['pdf page too tall', { html: 'x', pdf_options: { page_width: '1mm', page_height: '99999999in' } }, /pdf_options.page_height is larger than 200 inches/],
    ['pdf margins wider than the page', { html: 'x', pdf_options: { margins: ['1in', '4.25in', '1in', '4.25in'] } }, /margins leave no room/],
    ['pdf margins taller than the page', { html: 'x', pdf_options: { page_height: '10cm', margins: ['5cm', 0, '50mm', 0] } }, /margins leave no room/],
    // Playwright prints 1 cm as 37.8 px: 10.794 cm is 4.25 in to it, and two of them fill a Letter page.
    ['pdf margins that fill the page in cm', { html: 'x', pdf_options: { margins: [0, '10.794cm', 0, '10.794cm'] } }, /margins leave no room/],
    ['pdf margins of a bad shape', { html: 'x', pdf_options: { margins: ['1in', 'x', '1in', '1in'] } }, /pdf_options.margins must be a number with px, in, cm, mm or pt/],
    ['pdf length in an unknown unit', { html: 'x', pdf_options: { page_width: '8pc' } }, /pdf_options.page_width must be a number with px, in, cm, mm or pt/],
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
    const small = createImageSchema({ ...OTHER_LIMITS, maxHtmlChars: 10, maxViewportWidth: 10, maxViewportHeight: 10, maxRenderPixels: 100, maxPdfPageInches: 20 });
    expect(() => parseCreateImage(small, { html: 'x', pdf_options: { page_width: '21in' } })).toThrow('pdf_options.page_width is larger than 20 inches');
  });

  it('takes hcti\'s larger limits and spellings: ms_delay to 20 s, pt lengths, jpeg', () => {
    expect(parseCreateImage(schema, { html: 'x', ms_delay: 20_000 }).ms_delay).toBe(20_000);
    expect(parseCreateImage(schema, { html: 'x', format: 'jpeg' }).format).toBe('jpeg');
    // 612 x 792 pt is US Letter; the lengths are kept as sent, so reading the image back shows them.
    const pdf = { page_width: '612pt', page_height: '792pt', margins: ['1pt', '2mm', '3cm', '4px'] };
    expect(parseCreateImage(schema, { html: 'x', pdf_options: pdf }).pdf_options).toEqual(pdf);
    expect(() => parseCreateImage(schema, { html: 'x', pdf_options: { page_width: '14401pt' } })).toThrow('pdf_options.page_width is larger than 200 inches');
    expect(() => parseCreateImage(schema, { html: 'x', pdf_options: { margins: ['0pt', '306pt', '0pt', '306pt'] } })).toThrow(/margins leave no room/);
  });

  it('prints pt lengths in inches and bare numbers in pixels (the print engine knows neither)', () => {
    expect(printLength('72pt')).toBe('1in');
    expect(printLength('1.5pt')).toBe(`${1.5 / 72}in`);
    expect(printLength(20)).toBe('20px');
    expect(printLength('2cm')).toBe('2cm');
    expect(printLength(undefined)).toBeUndefined();
  });

  it('ignores headers and identify_as_hcti on html and templates, as hcti does, and keeps them on url captures', () => {
    const page = { headers: { 'X-A': '1' }, additional_header_origins: ['https://cdn.example'], include_headers_on_subrequests: true, identify_as_hcti: true };
    const html = parseCreateImage(schema, { html: 'x', ...page });
    for (const field of Object.keys(page)) expect(html).not.toHaveProperty(field);
    expect(parseCreateImage(schema, { template_id: 't-6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b', ...page })).not.toHaveProperty('headers');
    expect(parseCreateImage(schema, { url: 'https://a.example', ...page })).toMatchObject(page);
  });

  it('reads null as "not given", at the top and inside pdf_options, as hcti\'s Go client and Terraform provider send it', () => {
    // The Go client's management payload for an html_css image with only html set.
    const body = {
      html: '<p>x</p>', css: null, device_scale: null, google_fonts: null, max_wait_ms: null, metadata: null, ms_delay: 0, render_when_ready: false,
      selector: null, viewport_height: null, viewport_width: null, pdf_options: { page_width: null, page_height: null, scale: 0.5, margins: null },
      disable_twemoji: null, max_render_once: null, color_scheme: null, timezone: null, viewport_mobile: null, viewport_landscape: null, viewport_touch: null,
      media_type: null, proxy_id: null, storage_destination_id: null, jumbo_max_height: null, jumbo_max_width: null, transparent_background: null, format: null, dedupe_duration_s: 0,
    };
    expect(parseCreateImage(schema, body)).toEqual({ html: '<p>x</p>', ms_delay: 0, render_when_ready: false, pdf_options: { scale: 0.5 }, dedupe_duration_s: 0 });
    // A template's values are the user's data: a null in them stays.
    expect(parseCreateImage(schema, { template_id: 't-6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b', template_values: { a: null }, template_version: null }).template_values).toEqual({ a: null });
  });

  it('coerces form strings', () => {
    const parsed = parseCreateImage(schema, { html: 'x', device_scale: '1.5', viewport_width: '300', viewport_height: '200', full_screen: 'true', headers: undefined });
    expect(parsed).toMatchObject({ device_scale: 1.5, viewport_width: 300, viewport_height: 200, full_screen: true });
    expect(parseCreateImage(schema, { url: 'https://a.example', headers: '{"X-A":"1"}' }).headers).toEqual({ 'X-A': '1' });
  });
});

const url = 'https://app.example.com/private-report';

describe('custom headers by hcti rules (parameters/headers.md)', () => {
  it('takes a JSON object, repeated form fields and query entries split at the first colon', () => {
    // The docs' JSON example, verbatim.
    expect(
      parseCreateImage(schema, { url: 'https://example.com/account', headers: { Cookie: 'session=short-lived-session-value', 'X-Preview-Mode': 'enabled' } })
        .headers,
    ).toEqual({ Cookie: 'session=short-lived-session-value', 'X-Preview-Mode': 'enabled' });
    // The docs' form example: --data-urlencode 'headers=Cookie:session=…' twice.
    const form = new URLSearchParams('url=https%3A%2F%2Fexample.com%2Faccount&headers=Cookie%3Asession%3Dshort-lived-session-value&headers=X-Preview-Mode%3Aenabled');
    expect(parseCreateImage(schema, { url: form.get('url'), headers: form.getAll('headers') }).headers).toEqual({
      Cookie: 'session=short-lived-session-value',
      'X-Preview-Mode': 'enabled',
    });
    expect(parseCreateImage(schema, { url, headers: 'X-Time:12:30:00' }).headers).toEqual({ 'X-Time': '12:30:00' });
    expect(parseCreateImage(schema, { url, headers: 'X-Tab:a\tb' }).headers).toEqual({ 'X-Tab': 'a\tb' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['more than 20', { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) }, 'headers may set at most 20 headers (21 given)'],
    ['a name twice, in another case', { headers: { Authorization: 'a', authorization: 'b' } }, 'headers: authorization is given twice (header names are case-insensitive)'],
    ['a name over 512 characters', { headers: { ['X'.repeat(513)]: 'v' } }, `headers: the name "${'X'.repeat(40)}"… is longer than 512 characters`],
    ['a value over 8,192 bytes', { headers: { 'X-A': 'é'.repeat(4097) } }, 'headers: the value of X-A is longer than 8192 bytes'],
    ['a control character', { headers: { 'X-A': 'a\u0000b' } }, 'headers: the value of X-A contains a control character (line breaks included; only tab is allowed)'],
    ['a non-string value', { headers: { 'X-A': 1 } }, 'headers: the value of X-A must be a string'],
    ['a form entry without a colon', { headers: ['X-A'] }, 'headers sent as form fields or in a query are Name:value, such as "X-Preview-Mode:enabled"'],
    [
      'restricted names, all named',
      { headers: { Connection: 'close', 'Proxy-Authorization': 'x', 'Sec-Fetch-Site': 'none', 'X-Forwarded-For': '1.2.3.4', 'Transfer-Encoding': 'chunked', 'X-Ok': '1' } },
      'headers: Connection, Proxy-Authorization, Sec-Fetch-Site, X-Forwarded-For, Transfer-Encoding cannot be set: hop-by-hop, Host, Content-Length, Proxy-*, Sec-* and X-Forwarded-* headers are controlled by the browser and the service',
    ],
    ['origins without headers', { additional_header_origins: ['https://api.example.com'] }, 'additional_header_origins needs headers: it lists other origins that also receive them'],
    ['subrequests without headers', { include_headers_on_subrequests: true }, 'include_headers_on_subrequests needs headers: it sends them with subrequests too'],
  ])('refuses %s', (_name, fields, message) => {
    expect(bad({ url, ...fields })).toBe(message);
  });

  it('takes exact http(s) origins, deduplicated, and refuses anything else', () => {
    // The docs' example, verbatim.
    const parsed = parseCreateImage(schema, {
      url: 'https://app.example.com/private-report',
      headers: { Authorization: 'Bearer short-lived-token' },
      additional_header_origins: ['https://api.example.com', 'https://assets.example.com:8443'],
      include_headers_on_subrequests: true,
    });
    expect(parsed.additional_header_origins).toEqual(['https://api.example.com', 'https://assets.example.com:8443']);
    const h = { headers: { 'X-A': '1' } };
    expect(parseCreateImage(schema, { url, ...h, additional_header_origins: ['https://api.example.com/', 'HTTPS://API.example.com:443', 'http://a.example:80'] }).additional_header_origins).toEqual([
      'https://api.example.com',
      'http://a.example',
    ]);
    expect(parseCreateImage(schema, { url, ...h, additional_header_origins: 'https://api.example.com' }).additional_header_origins).toEqual(['https://api.example.com']);
    for (const origin of ['https://api.example.com/path', 'https://api.example.com?q=1', 'https://api.example.com#f', 'https://user:pw@api.example.com', 'https://*.example.com', 'ftp://api.example.com', 'api.example.com']) {
      expect(bad({ url, ...h, additional_header_origins: [origin] })).toMatch(/^additional_header_origins: ".*" is not an exact origin: scheme:\/\/host\[:port\] with http or https/);
    }
    const many = Array.from({ length: 21 }, (_, i) => `https://h${i}.example.com`);
    expect(bad({ url, ...h, additional_header_origins: many })).toBe('additional_header_origins may list at most 20 origins (21 given)');
    expect(bad({ url, ...h, additional_header_origins: [7] })).toBe('additional_header_origins must be a list of origins such as https://api.example.com');
  });

  it('identify_as_hcti is for url captures (ignored on html)', () => {
    expect(parseCreateImage(schema, { url: 'https://example.com/report', identify_as_hcti: true }).identify_as_hcti).toBe(true);
    expect(parseCreateImage(schema, { url: 'https://example.com/report', identify_as_hcti: 'true' }).identify_as_hcti).toBe(true);
    expect(parseCreateImage(schema, { html: 'x', identify_as_hcti: true })).toEqual({ html: 'x' });
  });
});

describe('jumbo images by hcti rules (guides/advanced/jumbo-images.md)', () => {
  it("accepts the docs' examples", () => {
    const html = "<div id='big-div' style='width:12000px;height:8100px;background:linear-gradient(45deg,#4f46e5,#ec4899);'></div>";
    expect(parseCreateImage(schema, { html, jumbo_max_width: 12000, jumbo_max_height: 8100, selector: '#big-div' })).toMatchObject({ jumbo_max_width: 12000 });
    expect(parseCreateImage(schema, { url: 'https://example.com/long-marketing-page', jumbo_max_width: 2000, jumbo_max_height: 30000, full_screen: true })).toMatchObject({
      jumbo_max_height: 30000,
    });
    for (const [w, h] of [[80_000, 5_000], [40_000, 10_000], [20_000, 20_000], [12_500, 32_000]]) {
      expect(parseCreateImage(schema, { html: 'x', jumbo_max_width: w, jumbo_max_height: h })).toMatchObject({ jumbo_max_width: w, jumbo_max_height: h });
    }
    // A form's strings, and a viewport whose pixels exceed one capture's budget: jumbo captures in tiles.
    expect(parseCreateImage(schema, { html: 'x', jumbo_max_width: '9000', jumbo_max_height: '100', viewport_width: 6000, viewport_height: 6000, device_scale: 3 })).toMatchObject({
      jumbo_max_width: 9000,
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ jumbo_max_height: 9000 }, 'jumbo_max_width must be present when jumbo_max_height is specified.'],
    [{ jumbo_max_width: 9000 }, 'jumbo_max_height must be present when jumbo_max_width is specified.'],
    [{ jumbo_max_width: 8000, jumbo_max_height: 8000 }, 'jumbo_max_height or jumbo_max_width should be greater than 8000'],
    [{ jumbo_max_width: 80_000, jumbo_max_height: 5_001 }, 'total jumbo pixel area cannot be greater than 400,000,000.'],
    [{ jumbo_max_width: 9000, jumbo_max_height: 9000, pdf_options: { scale: 1 } }, 'cannot set pdf_options and jumbo options together'],
    [{ jumbo_max_width: 80_001, jumbo_max_height: 10 }, 'jumbo_max_width must be between 1 and 80000'],
    [{ jumbo_max_width: 9000, jumbo_max_height: 0 }, 'jumbo_max_height must be between 1 and 80000'],
  ])('refuses %j with the documented message', (fields, message) => {
    expect(bad({ html: 'x', ...fields })).toBe(message);
  });
});

describe("proxy_id names an operator-configured proxy or one of the account's", () => {
  it('accepts a configured id or an account proxy id, and refuses any other', () => {
    const withProxies = createImageSchema({ ...OTHER_LIMITS, maxHtmlChars: 1000, maxViewportWidth: 6000, maxViewportHeight: 6000, maxRenderPixels: 40_000_000, proxyIds: ['corp'] });
    expect(parseCreateImage(withProxies, { url: 'https://internal.example.com', proxy_id: 'corp' }).proxy_id).toBe('corp');
    expect(() => parseCreateImage(withProxies, { html: 'x', proxy_id: 'your-proxy-id' })).toThrow('proxy_id "your-proxy-id" is neither one of your proxies nor a proxy configured on this service');
    expect(bad({ html: 'x', proxy_id: 'corp' })).toBe('proxy_id "corp" is neither one of your proxies nor a proxy configured on this service');
    // Whether the account has it is decided when the create is resolved.
    const own = 'px-2b1f7c9e-8d4a-4f3b-9c6e-1a2b3c4d5e6f';
    expect(parseCreateImage(schema, { html: 'x', proxy_id: own }).proxy_id).toBe(own);
  });
});

describe('fields of the official client', () => {
  it("reads google_fonts as the client joins them ('Open Sans' becomes Open+Sans)", () => {
    expect(parseCreateImage(schema, { html: 'x', google_fonts: 'Roboto|Open+Sans:400,700' }).google_fonts).toBe('Roboto|Open Sans:400,700');
  });

  it('takes storage_destination_id as an id (whether it is an enabled destination is checked on create)', () => {
    expect(parseCreateImage(schema, { html: 'x', storage_destination_id: 'your-storage-destination-id' }).storage_destination_id).toBe('your-storage-destination-id');
    expect(bad({ html: 'x', storage_destination_id: '../other' })).toBe('storage_destination_id must be the id of one of your storage destinations');
  });
});
