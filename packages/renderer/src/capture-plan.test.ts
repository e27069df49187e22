import { planJumboCapture, planSingleCapture } from './capture-plan';

describe('planSingleCapture', () => {
  it('keeps device_scale while the capture fits', () => {
    const plan = planSingleCapture({ x: 0, y: 0, width: 1920, height: 4000 }, 2, 16_384);
    expect([plan.zoom, plan.width, plan.height, plan.tiles.length]).toEqual([1, 3840, 8000, 1]);
  });

  it('scales a capture down so its longer side fits, keeping the aspect ratio', () => {
    // hcti's example: a 10,000 px tall page against an 8,000 px limit renders at 0.8.
    const plan = planSingleCapture({ x: 0, y: 0, width: 1000, height: 10_000 }, 1, 8_000);
    expect([plan.zoom, plan.width, plan.height]).toEqual([0.8, 800, 8000]);
  });
});

describe('planJumboCapture', () => {
  it("splits hcti's 12,000 x 8,100 example into tiles of at most 8,000", () => {
    const plan = planJumboCapture({ x: 0, y: 0, width: 12_000, height: 8_100 }, 1, { width: 12_000, height: 8_100 }, 8_000);
    expect([plan.zoom, plan.width, plan.height]).toEqual([1, 12_000, 8_100]);
    expect(plan.tiles.map(({ left, top, width, height }) => [left, top, width, height])).toEqual([
      [0, 0, 8000, 8000],
      [8000, 0, 4000, 8000],
      [0, 8000, 8000, 100],
      [8000, 8000, 4000, 100],
    ]);
  });

  it('keeps device_scale end to end: a 2x render of a 5,000 x 9,000 poster is 10,000 x 18,000', () => {
    const plan = planJumboCapture({ x: 10, y: 20, width: 5_000, height: 9_000 }, 2, { width: 10_000, height: 18_000 }, 8_000);
    expect([plan.zoom, plan.width, plan.height, plan.tiles.length]).toEqual([1, 10_000, 18_000, 6]);
    // Each tile's clip is in CSS pixels: 8,000 device pixels at 2x are 4,000 CSS pixels.
    expect(plan.tiles[2]!.clip).toEqual({ x: 10, y: 20 + 4_000, width: 4_000, height: 4_000 });
  });

  it('scales down to fit the maxima, keeping the aspect ratio, when the page is larger', () => {
    const plan = planJumboCapture({ x: 0, y: 0, width: 20_000, height: 1_000 }, 2, { width: 10_000, height: 9_000 }, 8_000);
    expect([plan.zoom, plan.width, plan.height]).toEqual([0.25, 10_000, 500]);
    expect(plan.tiles[1]!.clip).toEqual({ x: 16_000, y: 0, width: 4_000, height: 1_000 });
  });

  it('gives a smaller image when the content is smaller than the maxima', () => {
    const plan = planJumboCapture({ x: 0, y: 0, width: 2_000, height: 30_000 }, 1, { width: 2_000, height: 40_000 }, 8_000);
    expect([plan.zoom, plan.width, plan.height, plan.tiles.length]).toEqual([1, 2_000, 30_000, 4]);
  });
});
