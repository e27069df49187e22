import { headerPlanOf, headersFor, mergeHeaders, userAgentOf } from './request-headers';

describe('headerPlanOf / headersFor', () => {
  const request = {
    url: 'https://app.example.com/private-report',
    headers: { Authorization: 'Bearer short-lived-token', 'User-Agent': 'custom-agent/1.0' },
    additional_header_origins: ['https://api.example.com', 'https://assets.example.com:8443'],
  };

  it("sends headers with top-level navigations to the url's origin and the listed ones only", () => {
    const plan = headerPlanOf(request)!;
    expect(headersFor(plan, 'https://app.example.com/next', true)).toEqual({ Authorization: 'Bearer short-lived-token' });
    expect(headersFor(plan, 'https://assets.example.com:8443/landing', true)).toEqual({ Authorization: 'Bearer short-lived-token' });
    // Another scheme or port is another origin.
    expect(headersFor(plan, 'http://app.example.com/next', true)).toEqual({});
    expect(headersFor(plan, 'https://assets.example.com/landing', true)).toEqual({});
    expect(headersFor(plan, 'https://evil.example/', true)).toEqual({});
    // Subrequests only with include_headers_on_subrequests.
    expect(headersFor(plan, 'https://app.example.com/app.css', false)).toEqual({});
    const sub = headerPlanOf({ ...request, include_headers_on_subrequests: true })!;
    expect(headersFor(sub, 'https://api.example.com/data.json', false)).toEqual({ Authorization: 'Bearer short-lived-token' });
    expect(headersFor(sub, 'https://cdn.example.net/lib.js', false)).toEqual({});
  });

  it('leaves User-Agent to the browser, for every request', () => {
    expect(userAgentOf(request)).toBe('custom-agent/1.0');
    expect(userAgentOf({ url: 'https://a.example', headers: { 'user-agent': 'lower' } })).toBe('lower');
    expect(headerPlanOf({ url: 'https://a.example', headers: { 'User-Agent': 'only' } })).toBeNull();
  });

  it('identify_as_hcti marks top-level navigations of any origin, never subrequests', () => {
    const plan = headerPlanOf({ url: 'https://example.com/report', identify_as_hcti: true })!;
    expect(headersFor(plan, 'https://example.com/report', true)).toEqual({ 'X-HCTI-SCREENSHOT': '1' });
    expect(headersFor(plan, 'https://example.com/app.js', false)).toEqual({});
    expect(headerPlanOf({ html: '<p>x</p>' })).toBeNull();
  });

  it('replaces a header of the same name whatever its case', () => {
    expect(mergeHeaders({ accept: '*/*', 'user-agent': 'ua', authorization: 'old' }, { Authorization: 'new' })).toEqual([
      { name: 'accept', value: '*/*' },
      { name: 'user-agent', value: 'ua' },
      { name: 'Authorization', value: 'new' },
    ]);
  });
});
