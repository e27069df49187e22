// The plan is the one reading of a request: the scale and jumbo rules, where it renders, what
// region it captures; later steps take the plan, which carries no request.
import { isJumboPlan, planRender } from './render-plan';

describe('planRender', () => {
  it('carries what the renderer needs, and not the request', () => {
    const plan = planRender({ html: '<p>x</p>', css: 'p{}', ms_delay: 5, timezone: 'Europe/Paris', transparent_background: true }, 'capture');
    expect(plan).not.toHaveProperty('request');
    expect(plan).toMatchObject({
      output: 'capture',
      content: { html: '<p>x</p>', css: 'p{}', msDelay: 5, renderWhenReady: false, blockConsentBanners: false },
      emulation: { timezone: 'Europe/Paris', mobile: false, touch: false, headers: null },
      transparent: true,
      pdf: {},
    });
  });

  it('takes device_scale, else 2 for html and 1 for a url', () => {
    expect(planRender({ html: 'x' }, 'capture').scale).toBe(2);
    expect(planRender({ url: 'https://example.com/' }, 'capture').scale).toBe(1);
    expect(planRender({ html: 'x', device_scale: 0.5 }, 'capture').scale).toBe(0.5);
  });

  it('is jumbo only with both maxima', () => {
    const jumbo = planRender({ html: 'x', jumbo_max_width: 9000, jumbo_max_height: 100 }, 'capture');
    expect([jumbo.jumbo, isJumboPlan(jumbo)]).toEqual([{ width: 9000, height: 100 }, true]);
    expect(planRender({ html: 'x', jumbo_max_width: 9000 }, 'capture').jumbo).toBeUndefined();
    expect(isJumboPlan(planRender({ html: 'x', jumbo_max_width: 9000, jumbo_max_height: 100 }, 'print'))).toBe(false);
  });

  it('puts the long side across in landscape, and defaults the viewport', () => {
    expect(planRender({ html: 'x', viewport_width: 300, viewport_height: 800, viewport_landscape: true }, 'capture').viewport).toEqual({ width: 800, height: 300 });
    expect(planRender({ html: 'x' }, 'capture').viewport).toEqual({ width: 1920, height: 1080 });
  });

  it('chooses the page: static, scripted, or a context of its own', () => {
    expect(planRender({ html: '<p>x</p>' }, 'capture').isolation).toBe('static');
    expect(planRender({ html: '<script></script>' }, 'capture').isolation).toBe('scripted');
    expect(planRender({ html: '<p>x</p>' }, 'print').isolation).toBe('context');
    expect(planRender({ url: 'https://example.com/' }, 'capture').isolation).toBe('context');
    expect(planRender({ html: '<p>x</p>', viewport_mobile: true }, 'capture').isolation).toBe('context');
  });

  it('crops a snippet without a viewport to its elements; a selector or full_screen as asked', () => {
    expect(planRender({ html: '<div>card</div>' }, 'capture').region).toEqual({ selector: undefined, autoCrop: true, fullPage: false });
    expect(planRender({ html: '<div>card</div>', viewport_width: 10, viewport_height: 10 }, 'capture').region.autoCrop).toBe(false);
    expect(planRender({ url: 'https://example.com/', selector: '#a', full_screen: true }, 'capture').region).toEqual({ selector: '#a', autoCrop: false, fullPage: true });
  });

  it('reads headers into a header plan and the browser-wide User-Agent apart', () => {
    const plan = planRender({ url: 'https://example.com/a', headers: { 'X-Token': 't', 'User-Agent': 'ua/1' } }, 'capture');
    expect(plan.emulation.userAgent).toBe('ua/1');
    expect(plan.emulation.headers?.headers).toEqual({ 'X-Token': 't' });
  });
});
