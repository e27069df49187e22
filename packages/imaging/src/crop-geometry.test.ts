import { ValidationError } from '@pixelfarm/errors';
import { cropRect, outputSize } from './crop-geometry';

describe('cropRect', () => {
  it('resolves a box in px and %', () => {
    expect(cropRect({ kind: 'box', x1: { px: 10 }, y1: { pct: 25 }, x2: { pct: 50 }, y2: { px: 200 } }, 400, 200)).toEqual({
      left: 10,
      top: 50,
      width: 190,
      height: 150,
    });
  });

  it('refuses a box outside the image, naming the parameter', () => {
    expect(() => cropRect({ kind: 'box', x1: { px: 0 }, y1: { px: 0 }, x2: { px: 401 }, y2: { pct: 100 } }, 400, 200)).toThrow(
      /x_2 \(401 px\) is outside the image/,
    );
    expect(() => cropRect({ kind: 'box', x1: { px: 300 }, y1: { px: 0 }, x2: { pct: 50 }, y2: { pct: 100 } }, 400, 200)).toThrow(
      ValidationError,
    );
    expect(() => cropRect({ kind: 'size', width: { px: 10 }, height: { px: 201 }, x: 'start', y: 'start' }, 400, 200)).toThrow(
      /crop_height/,
    );
  });

  it('places a sized crop by its origins', () => {
    const size = { kind: 'size', width: { px: 100 }, height: { pct: 50 } } as const;
    expect(cropRect({ ...size, x: 'start', y: 'start' }, 400, 200)).toEqual({ left: 0, top: 0, width: 100, height: 100 });
    expect(cropRect({ ...size, x: 'center', y: 'center' }, 400, 200)).toEqual({ left: 150, top: 50, width: 100, height: 100 });
    expect(cropRect({ ...size, x: 'end', y: 'end' }, 400, 200)).toEqual({ left: 300, top: 100, width: 100, height: 100 });
  });

  it('takes the largest box of an aspect ratio', () => {
    expect(cropRect({ kind: 'aspect', w: 1, h: 1, x: 'center', y: 'center' }, 400, 200)).toEqual({ left: 100, top: 0, width: 200, height: 200 });
    expect(cropRect({ kind: 'aspect', w: 4, h: 1, x: 'center', y: 'end' }, 400, 200)).toEqual({ left: 0, top: 100, width: 400, height: 100 });
    expect(cropRect({ kind: 'aspect', w: 16, h: 9, x: 'start', y: 'start' }, 1200, 630)).toEqual({ left: 0, top: 0, width: 1120, height: 630 });
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
