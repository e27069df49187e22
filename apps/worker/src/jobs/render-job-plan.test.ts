// Which steps a render job takes, decided from its data alone: above all, an image whose
// destination keeps the only copy and whose base object is its PDF is printed, never captured.
import { planRenderJob, type RenderJobLimits } from './render-job-plan';

const LIMITS: RenderJobLimits = { maxOutputBytes: 100, maxJumboOutputBytes: 1000, canDefer: false };
const keeps = { id: 'sd-1', keep_copy: true };
const onlyThere = { id: 'sd-1', keep_copy: false };

describe('planRenderJob', () => {
  it('a plain image: one capture, encoded now, kept here, nothing printed or copied', () => {
    const plan = planRenderJob({ request: { html: '<p>x</p>' } }, LIMITS);
    expect(plan).toMatchObject({ capture: { kind: 'single' }, encoding: 'now', maxBytes: 100, print: null, keepOurs: true, copy: null });
    expect(plan.capture!.plan.output).toBe('capture');
  });

  it('defers the re-encode when it can, except for a destination copy or tiles', () => {
    const can = { ...LIMITS, canDefer: true };
    expect(planRenderJob({ request: { html: 'x' } }, can).encoding).toBe('later');
    expect(planRenderJob({ request: { html: 'x' }, destination: keeps }, can).encoding).toBe('now');
    expect(planRenderJob({ request: { html: 'x', jumbo_max_width: 9000, jumbo_max_height: 10 } }, can).encoding).toBe('now');
  });

  it('a jumbo image: tiles, under the jumbo size limit', () => {
    expect(planRenderJob({ request: { html: 'x', jumbo_max_width: 9000, jumbo_max_height: 10 } }, LIMITS)).toMatchObject({ capture: { kind: 'tiles' }, maxBytes: 1000 });
  });

  it('max_render_once with pdf_options: the capture and the print, both kept', () => {
    const plan = planRenderJob({ request: { html: 'x', max_render_once: true, pdf_options: {} } }, LIMITS);
    expect(plan).toMatchObject({ capture: { kind: 'single' }, print: { output: 'print', isolation: 'context' }, keepOurs: true, copy: null });
    expect(planRenderJob({ request: { html: 'x', pdf_options: {} } }, LIMITS).print).toBeNull();
  });

  it('a destination that keeps a copy: the PNG (or, asked for, the PDF too) kept here and copied', () => {
    expect(planRenderJob({ request: { html: 'x' }, destination: keeps }, LIMITS)).toMatchObject({ capture: { kind: 'single' }, print: null, keepOurs: true, copy: 'png' });
    expect(planRenderJob({ request: { html: 'x', format: 'pdf' }, destination: keeps }, LIMITS)).toMatchObject({ capture: { kind: 'single' }, print: { output: 'print' }, keepOurs: true, copy: 'pdf' });
  });

  it('a destination with the only copy: a PNG base is captured; a PDF base is only printed', () => {
    expect(planRenderJob({ request: { html: 'x' }, destination: onlyThere }, LIMITS)).toMatchObject({ capture: { kind: 'single' }, print: null, keepOurs: false, copy: 'png' });
    expect(planRenderJob({ request: { html: 'x', pdf_options: { scale: 1 } }, destination: onlyThere }, LIMITS)).toMatchObject({ capture: null, print: { output: 'print' }, keepOurs: false, copy: 'pdf' });
  });
});
