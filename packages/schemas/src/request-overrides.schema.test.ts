import { ValidationError } from '@pixelfarm/errors';
import { createImageSchema, parseCreateImage } from '@pixelfarm/schemas';

/** The limits these tests do not vary, at the configuration's defaults (hcti's jumbo limits, no proxies). */
const OTHER_LIMITS = { maxPdfPageInches: 200, jumbo: { maxSide: 80_000, maxPixels: 400_000_000 }, proxyIds: [] as string[] };

const schema = createImageSchema({ ...OTHER_LIMITS, maxHtmlChars: 1000, maxViewportWidth: 6000, maxViewportHeight: 6000, maxRenderPixels: 40_000_000 });
const parse = (request_overrides: unknown) => parseCreateImage(schema, { url: 'https://example.com/report', request_overrides }).request_overrides;
const refusal = (request_overrides: unknown) => {
  try {
    parse(request_overrides);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(request_overrides)}`);
};

describe('request_overrides, as hcti documents and its clients send them', () => {
  it('takes the documented examples, the clients\' JSON and the form encoding (one JSON field)', () => {
    const docs = [{ action: 'block', url: 'https://analytics.example.com/*', resource_types: ['script', 'xhr', 'fetch'] }];
    expect(parse(docs)).toEqual(docs);
    expect(parse([{ action: 'block', resource_types: ['beacon'] }, { action: 'block', url: '*://chat.example.com/*' }])).toHaveLength(2);
    // Go client: {"action":"block","url":"*.js","resource_types":["script","fetch"]}; form: the array as JSON text.
    expect(parse('[{"action":"block","url":"*://cdn.example.com/*.js"}]')).toEqual([{ action: 'block', url: '*://cdn.example.com/*.js' }]);
    // An empty array adds no rules (and clears a batch default).
    expect(parse([])).toEqual([]);
    expect(parse(Array.from({ length: 100 }, () => ({ action: 'block', resource_types: ['img'] })))).toHaveLength(100);
  });

  it('refuses what hcti refuses, naming the rule', () => {
    expect(refusal(Array.from({ length: 101 }, () => ({ action: 'block', resource_types: ['img'] })))).toBe('request_overrides has more than 100 rules');
    expect(refusal([{ action: 'allow', url: '*' }])).toBe('request_overrides[0].action must be "block"');
    expect(refusal([{ url: '*' }])).toBe('request_overrides[0].action must be "block"');
    expect(refusal([{ action: 'block' }])).toBe('request_overrides[0] needs a url, resource_types, or both');
    expect(refusal([{ action: 'block', url: '*' }, { action: 'block', url: ' ' }])).toBe('request_overrides[1].url must not be blank');
    expect(refusal([{ action: 'block', url: 'x'.repeat(513) }])).toBe('request_overrides[0].url is longer than 512 characters');
    expect(refusal([{ action: 'block', url: 'https://a.example/\n' }])).toBe('request_overrides[0].url must not contain control characters');
    expect(refusal([{ action: 'block', resource_types: [] }])).toBe('request_overrides[0].resource_types must not be empty');
    expect(refusal([{ action: 'block', resource_types: ['websocket'] }])).toMatch(/^request_overrides\[0\]\.resource_types: each must be one of beacon, document/);
    expect(refusal([{ action: 'block', url: '*', when: 'now' }])).toBe('Unknown field: request_overrides[0].when');
    expect(refusal({ action: 'block' })).toMatch(/^request_overrides must be an array of rules/);
  });
});
