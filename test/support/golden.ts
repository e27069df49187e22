// Compares a rendered PNG with a committed reference image (pixelmatch, small tolerance).
// UPDATE_GOLDEN=1 rewrites the references; a missing reference fails.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import pixelmatch from 'pixelmatch';

export const GOLDEN_DIR = path.resolve(__dirname, '..', 'render', '__golden__');

export async function expectGolden(name: string, png: Buffer, maxDiffRatio = 0.005): Promise<void> {
  const file = path.join(GOLDEN_DIR, `${name}.png`);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, png);
  if (!fs.existsSync(file)) throw new Error(`no golden image ${file}: run with UPDATE_GOLDEN=1 and commit it`);
  const [a, b] = await Promise.all([png, fs.readFileSync(file)].map((x) => sharp(x).ensureAlpha().raw().toBuffer({ resolveWithObject: true })));
  expect([a!.info.width, a!.info.height]).toEqual([b!.info.width, b!.info.height]);
  const diff = pixelmatch(a!.data, b!.data, null, a!.info.width, a!.info.height, { threshold: 0.1 });
  expect(diff / (a!.info.width * a!.info.height)).toBeLessThanOrEqual(maxDiffRatio);
}
