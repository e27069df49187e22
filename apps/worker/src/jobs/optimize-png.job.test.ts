// The deferred PNG re-encode against fakes: it rewrites only the object the render stored, keeps
// a PNG it cannot shrink, and leaves nothing behind of an image deleted while it worked.
import type { Job } from 'bullmq';
import { imageKeys } from '@pixelfarm/storage';
import type { OptimizeJobData } from '@pixelfarm/queue';
import { createOptimizePngJob } from './optimize-png.job';

function world(stored: Buffer | null, encodedBytes: number, opts: { deletedWhileEncoding?: boolean } = {}) {
  const objects = new Map<string, Buffer>(stored ? [[imageKeys.original('img'), stored]] : []);
  let record = true;
  const outcomes: string[] = [];
  const job = createOptimizePngJob({
    images: {
      getOriginal: async (id) => objects.get(imageKeys.original(id)) ?? null,
      saveOriginal: async (id, png) => void objects.set(imageKeys.original(id), png),
      getRecord: async <T>() => (record ? ({ id: 'img' } as T) : null),
    },
    storage: { delete: async (key) => void objects.delete(key) },
    processor: {
      encodePng: async () => {
        if (opts.deletedWhileEncoding) {
          objects.clear();
          record = false;
        }
        return { data: Buffer.alloc(encodedBytes, 1), width: 1, height: 1, contentType: 'image/png' };
      },
    },
    metrics: { optimized: (outcome, saved) => void outcomes.push(`${outcome}${saved ? ` ${saved}` : ''}`) },
  });
  const run = (bytes: number) => job({ data: { id: 'img', bytes } } as Job<OptimizeJobData>);
  return { run, objects, outcomes };
}

describe('optimize-png job', () => {
  it('rewrites the stored capture with its smaller re-encode', async () => {
    const w = world(Buffer.alloc(100), 40);
    await w.run(100);
    expect(w.objects.get(imageKeys.original('img'))!.length).toBe(40);
    expect(w.outcomes).toEqual(['optimized 60']);
  });

  it('leaves an original that is not the one queued (optimized already, rendered again, deleted)', async () => {
    for (const [stored, bytes] of [[Buffer.alloc(40), 100], [null, 100]] as const) {
      const w = world(stored, 10);
      await w.run(bytes);
      expect(w.outcomes).toEqual(['skipped']);
      expect(w.objects.get(imageKeys.original('img'))?.length).toBe(stored?.length);
    }
  });

  it('keeps a capture the re-encode does not shrink', async () => {
    const w = world(Buffer.alloc(100), 100);
    await w.run(100);
    expect([w.objects.get(imageKeys.original('img'))!.length, ...w.outcomes]).toEqual([100, 'kept']);
  });

  it('removes what it wrote when the image was deleted while it encoded', async () => {
    const w = world(Buffer.alloc(100), 40, { deletedWhileEncoding: true });
    await w.run(100);
    expect([w.objects.size, ...w.outcomes]).toEqual([0, 'skipped']);
  });
});
