import { ValidationError } from '@pixelfarm/errors';
import { parseVariantQuery } from '@pixelfarm/schemas';
import { cropRect, outputSize } from './crop-geometry';

/** The rectangle a query string crops from a width × height image, as GET /v1/image would. */
function rectOf(query: string, width: number, height: number) {
  const crop = parseVariantQuery(Object.fromEntries(new URLSearchParams(query)), 'png', { maxDimension: 5000 }).variant.crop!;
  return cropRect(crop, width, height);
}

function errorOf(query: string, width: number, height: number): string {
  try {
    rectOf(query, width, height);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error(`expected ${query} to be refused`);
}

describe('cropRect: the examples of hcti\'s API page on its 600x400 base image', () => {
  // htmlcsstoimage/docs getting-started/using-the-api.md, "Cropping examples", verbatim.
  it.each([
    ['aspect_ratio=1_1&crop_height=100%', { left: 100, top: 0, width: 400, height: 400 }], // 1:1 square from center
    ['x_1=0&crop_width=33%', { left: 0, top: 0, width: 198, height: 400 }], // left third
    ['x_1=33%&x_2=66%', { left: 198, top: 0, width: 198, height: 400 }], // center section
    ['x_1=67%&crop_width=33%', { left: 402, top: 0, width: 198, height: 400 }], // right third
    ['aspect_ratio=16_9&crop_width=100%', { left: 0, top: 31, width: 600, height: 338 }], // 16:9 band, centred
  ])('%s', (query, rect) => {
    expect(rectOf(query, 600, 400)).toEqual(rect);
  });
});

describe('cropRect: coordinates and origins counted from the far edge (hcti\'s parameter table: negative values)', () => {
  it.each([
    ['x_1=-33%&crop_width=33%', { left: 402, top: 0, width: 198, height: 400 }], // the right third, as hcti's page once wrote it
    ['x_1=-200px&crop_width=200px', { left: 400, top: 0, width: 200, height: 400 }],
    ['y_1=-25%&y_2=-5%', { left: 0, top: 300, width: 600, height: 80 }],
    ['x_1=10%&x_2=-10%', { left: 60, top: 0, width: 480, height: 400 }],
    ['x_origin=-100px&crop_width=100', { left: 450, top: 0, width: 100, height: 400 }], // centred 100 px from the right edge
    ['x_origin=end&crop_width=50px', { left: 550, top: 0, width: 50, height: 400 }],
  ])('%s', (query, rect) => {
    expect(rectOf(query, 600, 400)).toEqual(rect);
  });

  it('refuses a far-edge box that ends before it starts, naming it', () => {
    expect(errorOf('x_1=-10%&x_2=50%', 600, 400)).toBe('x_2 must be greater than x_1');
  });
});

describe('cropRect', () => {
  it('resolves a box in px and %', () => {
    expect(rectOf('x_1=10&y_1=25%&x_2=50%&y_2=200', 400, 200)).toEqual({ left: 10, top: 50, width: 190, height: 150 });
  });

  it('rounds edges, not sizes: a start and a size that add up to 100% end on the last pixel', () => {
    for (const width of [599, 600, 601, 1001]) {
      const r = rectOf('x_1=67%&crop_width=33%', width, 10);
      expect(r.left + r.width).toBe(width);
    }
  });

  it('refuses a region outside the image, naming the parameters', () => {
    expect(errorOf('x_1=0&x_2=401', 400, 200)).toBe('x_2 (401 px) is outside the image, which is 400 px wide');
    expect(errorOf('x_1=300&x_2=50%', 400, 200)).toBe('x_2 must be greater than x_1');
    expect(errorOf('y_1=50%&crop_height=60%', 400, 200)).toBe('y_1 + crop_height (220 px) is outside the image, which is 200 px tall');
    expect(errorOf('x_1=400', 400, 200)).toBe('x_1 (400 px) is outside the image, which is 400 px wide');
    expect(errorOf('crop_width=10&crop_height=201', 400, 200)).toBe('crop_height (201 px) is larger than the image, which is 200 px tall');
    expect(errorOf('aspect_ratio=1_1&crop_width=100%', 600, 400)).toBe(
      'aspect_ratio 1:1 with crop_width of 600 px needs a crop_height of 600 px, but the image is 400 px tall',
    );
  });

  it('places a sized crop by its origins: start/center/end, px or %, centred on the point and kept inside', () => {
    expect(rectOf('crop_width=100&crop_height=50%&x_origin=start&y_origin=start', 400, 200)).toEqual({ left: 0, top: 0, width: 100, height: 100 });
    expect(rectOf('crop_width=100&crop_height=50%&x_origin=center&y_origin=center', 400, 200)).toEqual({ left: 150, top: 50, width: 100, height: 100 });
    expect(rectOf('crop_width=100&crop_height=50%&x_origin=end&y_origin=end', 400, 200)).toEqual({ left: 300, top: 100, width: 100, height: 100 });
    // A point: the region is centred on it...
    expect(rectOf('crop_width=100&x_origin=100px', 400, 200)).toEqual({ left: 50, top: 0, width: 100, height: 200 });
    expect(rectOf('crop_width=100&x_origin=75%', 400, 200)).toEqual({ left: 250, top: 0, width: 100, height: 200 });
    // ...and moved back inside when it would stick out.
    expect(rectOf('crop_width=100&x_origin=10px', 400, 200)).toEqual({ left: 0, top: 0, width: 100, height: 200 });
    expect(rectOf('crop_width=100&x_origin=399', 400, 200)).toEqual({ left: 300, top: 0, width: 100, height: 200 });
    // The aliases are those percentages.
    expect(rectOf('aspect_ratio=1_1&x_origin=end', 400, 200)).toEqual(rectOf('aspect_ratio=1_1&x_origin=100%', 400, 200));
    expect(rectOf('aspect_ratio=1_1&x_origin=start', 400, 200)).toEqual(rectOf('aspect_ratio=1_1&x_origin=0%', 400, 200));
  });

  it('takes the largest region of an aspect ratio, or derives one side from the other', () => {
    expect(rectOf('aspect_ratio=1_1', 400, 200)).toEqual({ left: 100, top: 0, width: 200, height: 200 });
    expect(rectOf('aspect_ratio=4_1&y_origin=end', 400, 200)).toEqual({ left: 0, top: 100, width: 400, height: 100 });
    expect(rectOf('aspect_ratio=16_9&x_origin=start&y_origin=start', 1200, 630)).toEqual({ left: 0, top: 0, width: 1120, height: 630 });
    expect(rectOf('aspect_ratio=2_1&crop_height=100&y_origin=start', 400, 200)).toEqual({ left: 100, top: 0, width: 200, height: 100 });
    expect(rectOf('aspect_ratio=1_1&x_1=50&crop_width=100', 400, 200)).toEqual({ left: 50, top: 50, width: 100, height: 100 });
  });
});

describe('outputSize', () => {
  it('keeps the aspect when one side is given', () => {
    expect(outputSize({ width: 400, height: 200 }, 100)).toEqual({ width: 100, height: 50 });
    expect(outputSize({ width: 400, height: 200 }, undefined, 50)).toEqual({ width: 100, height: 50 });
    expect(outputSize({ width: 400, height: 200 }, 30, 30)).toEqual({ width: 30, height: 30 });
    expect(outputSize({ width: 400, height: 200 })).toEqual({ width: 400, height: 200 });
  });
});
