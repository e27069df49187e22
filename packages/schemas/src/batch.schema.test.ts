import { createImageSchema, parseBatchCreate } from '@pixelfarm/schemas';

/** The limits these tests do not vary, at the configuration's defaults (hcti's jumbo limits, no proxies). */
const OTHER_LIMITS = { maxPdfPageInches: 200, jumbo: { maxSide: 80_000, maxPixels: 400_000_000 }, proxyIds: [] as string[] };

const schema = createImageSchema({ ...OTHER_LIMITS, maxHtmlChars: 1000, maxViewportWidth: 6000, maxViewportHeight: 6000, maxRenderPixels: 40_000_000 });

describe('batch variations', () => {
  it('read null as "not given": a variation inherits the default it leaves null', () => {
    const creates = parseBatchCreate(
      schema,
      { default_options: { css: 'p{color:red}', device_scale: 1, selector: null }, variations: [{ html: '<p>a</p>', css: null }, { html: '<p>b</p>', device_scale: 2 }] },
      25,
    );
    expect(creates).toEqual([
      { html: '<p>a</p>', css: 'p{color:red}', device_scale: 1 },
      { html: '<p>b</p>', css: 'p{color:red}', device_scale: 2 },
    ]);
  });
});
