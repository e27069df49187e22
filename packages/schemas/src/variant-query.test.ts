import { ValidationError } from '@pixelfarm/errors';
import { canonicalVariant, isOriginalVariant, parsePdfQuery, parseVariantQuery, variantSlug } from './variant-query';

const parse = (query: Record<string, unknown>, format: 'png' | 'jpeg' | 'webp' = 'png') =>
  parseVariantQuery(query, format, { maxDimension: 5000 });
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error('expected a ValidationError');
};

describe('parseVariantQuery', () => {
  it('reads size, density and download', () => {
    expect(parse({ width: '800', height: '600', dpi: '300', dl: '1' }, 'jpeg')).toEqual({
      variant: { format: 'jpeg', width: 800, height: 600, dpi: 300 },
      download: true,
    });
    expect(parse({})).toEqual({ variant: { format: 'png' }, download: false });
    expect(isOriginalVariant(parse({ dl: '1', cachebust: 'x' }).variant)).toBe(true);
    expect(isOriginalVariant(parse({ dpi: '72' }).variant)).toBe(false);
  });

  it.each([
    [{ width: '0' }, 'width'],
    [{ width: '5001' }, 'width'],
    [{ height: '1.5' }, 'height'],
    [{ width: 'abc' }, 'width'],
    [{ width: ['1', '2'] }, 'width must be given once'],
    [{ dpi: '29' }, 'dpi'],
    [{ dpi: '601' }, 'dpi'],
    [{ dl: 'yes' }, 'dl'],
    [{ x_2: '40' }, 'x_2 must be used with x_1'],
    [{ x_1: '10', x_2: '40', crop_width: '10' }, 'x_2 cannot be combined with crop_width'],
    [{ y_1: '10', y_2: '40', crop_height: '10' }, 'y_2 cannot be combined with crop_height'],
    [{ x_1: '10', x_origin: 'end' }, 'x_origin cannot be combined with x_1'],
    [{ y_origin: 'start' }, 'y_origin needs crop_height or aspect_ratio'],
    [{ crop_height: '10', x_origin: 'start' }, 'x_origin needs crop_width or aspect_ratio'],
    [
      { aspect_ratio: '1_1', crop_width: '10', crop_height: '10' },
      'aspect_ratio cannot be combined with crop_width and crop_height: with aspect_ratio give the size of one side only',
    ],
    [{ aspect_ratio: '1_1', x_1: '0', x_2: '10', crop_height: '10' }, 'aspect_ratio cannot be combined with x_1/x_2 and crop_height'],
    [{ x_1: '50', x_2: '40' }, 'x_2 must be greater than x_1'],
    [{ y_1: '50%', y_2: '50%' }, 'y_2 must be greater than y_1'],
    [{ x_1: '0', x_2: '101%' }, 'x_2 must be between -100% and 100%'],
    [{ x_1: '0', x_2: '10.5' }, 'x_2 must be a whole number of pixels'],
    [{ x_1: '5em' }, 'x_1 must be a number of pixels (120) or a percentage (25%), negative to count from the far edge (-25%)'],
    [{ x_1: '0', crop_width: '-5' }, 'crop_width must be a number of pixels (120) or a percentage (25%)'],
    [{ x_1: '-101%', crop_width: '5' }, 'x_1 must be between -100% and 100%'],
    [{ x_1: '-50', x_2: '-60' }, 'x_2 must be greater than x_1'],
    [{ crop_width: '0' }, 'crop_width must be greater than 0'],
    [{ aspect_ratio: '16x9' }, 'aspect_ratio must look like 16_9'],
    [{ aspect_ratio: '0_9' }, 'aspect_ratio'],
    [{ crop_width: '10', x_origin: 'left' }, 'x_origin must be start, center, end, a number of pixels (100px) or a percentage (50%)'],
    [{ crop_width: '10', x_origin: '150%' }, 'x_origin must be between -100% and 100%'],
  ])('rejects %j naming the parameter', (query, expected) => {
    expect(message(() => parse(query))).toContain(expected);
  });

  it('accepts every combination hcti documents, each axis on its own', () => {
    const crop = (q: Record<string, string>) => parse(q).variant.crop;
    expect(crop({ x_1: '10', y_2: '50%', y_1: '0' })).toEqual({ x: { start: { px: 10 } }, y: { start: { px: 0 }, end: { pct: 50 } } });
    expect(crop({ x_1: '0', crop_width: '33%' })).toEqual({ x: { start: { px: 0 }, size: { pct: 33 } }, y: {} });
    expect(crop({ crop_width: '120px' })).toEqual({ x: { size: { px: 120 } }, y: {} });
    expect(crop({ aspect_ratio: '1_1', crop_height: '100%' })).toEqual({ x: {}, y: { size: { pct: 100 } }, aspect: { w: 1, h: 1 } });
    expect(crop({ aspect_ratio: '16_9', crop_width: '100%', y_origin: 'end' })).toEqual({
      x: { size: { pct: 100 } },
      y: { origin: { pct: 100 } },
      aspect: { w: 16, h: 9 },
    });
    expect(crop({ crop_width: '10', x_origin: '100px' })).toEqual({ x: { size: { px: 10 }, origin: { px: 100 } }, y: {} });
    expect(crop({ x_1: '0', crop_width: '50%', crop_height: '20', y_origin: 'center' })).toEqual({
      x: { start: { px: 0 }, size: { pct: 50 } },
      y: { size: { px: 20 }, origin: { pct: 50 } },
    });
  });

  it('gives every spelling of one variant one canonical form', () => {
    const a = parse({ width: '0200', aspect_ratio: '32_18', x_origin: 'center', dl: '1' }, 'webp').variant;
    const b = parse({ aspect_ratio: '16:9', width: '200' }, 'webp').variant;
    expect(canonicalVariant(a)).toBe(canonicalVariant(b));
    expect(canonicalVariant(a)).not.toBe(canonicalVariant(parse({ aspect_ratio: '16_9', width: '200' }, 'jpeg').variant));
    expect(canonicalVariant(parse({ x_1: '0', x_2: '100%' }).variant)).toBe(canonicalVariant(parse({ x_1: '0%', x_2: '100%' }).variant));
    expect(canonicalVariant(parse({ crop_width: '10', x_origin: 'end' }).variant)).toBe(canonicalVariant(parse({ crop_width: '10', x_origin: '100%' }).variant));
    expect(canonicalVariant(parse({ crop_width: '10' }).variant)).not.toBe(canonicalVariant(parse({ crop_width: '10%' }).variant));
    expect(canonicalVariant(parse({ crop_width: '10' }).variant)).not.toBe(canonicalVariant(parse({ crop_height: '10' }).variant));
  });

  it("names a variant for a person (storage destination keys, hcti's <id>_w-400.webp)", () => {
    expect(variantSlug(parse({ width: '400' }, 'webp').variant)).toBe('w-400');
    expect(variantSlug(parse({ width: '400', height: '300', dpi: '144' }).variant)).toBe('w-400_h-300_dpi-144');
    expect(variantSlug(parse({}, 'jpeg').variant)).toBe('full');
    const crop = variantSlug(parse({ width: '200', crop_width: '10', x_origin: 'end' }).variant);
    expect(crop).toMatch(/^w-200_crop-[0-9a-f]{12}$/);
    expect(variantSlug(parse({ width: '200', crop_width: '10', x_origin: '100%' }).variant)).toBe(crop);
    expect(variantSlug(parse({ width: '200', crop_width: '10' }).variant)).not.toBe(crop);
  });
});

describe('parsePdfQuery', () => {
  it('accepts dl only', () => {
    expect(parsePdfQuery({ dl: '1' })).toEqual({ download: true });
    expect(message(() => parsePdfQuery({ width: '100' }))).toBe('width does not apply to pdf');
  });
});
