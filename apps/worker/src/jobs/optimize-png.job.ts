// The deferred lossless re-encode of a render's PNG (PNG_OPTIMIZE=deferred): the
// render stored Chromium's capture as it is; here it is re-encoded smaller and written over
// itself under the same key, so the image's URL and pixels stay the same.
import type { Job } from 'bullmq';
import { imageKeys, type ImageStore, type StorageDriver } from '@pixelfarm/storage';
import type { ImageProcessor } from '@pixelfarm/imaging';
import type { PngOptimizeMetrics } from '@pixelfarm/metrics';
import type { OptimizeJobData } from '@pixelfarm/queue';

export interface OptimizePngJobDeps {
  images: Pick<ImageStore, 'getOriginal' | 'saveOriginal' | 'getRecord'>;
  storage: Pick<StorageDriver, 'delete'>;
  processor: Pick<ImageProcessor, 'encodePng'>;
  metrics: PngOptimizeMetrics;
}

export function createOptimizePngJob(deps: OptimizePngJobDeps): (job: Job<OptimizeJobData>) => Promise<void> {
  return async (job) => {
    const { id, bytes } = job.data;
    const stored = await deps.images.getOriginal(id);
    // Deleted, already optimized, or rendered again since: that object is not ours to rewrite.
    if (!stored || stored.length !== bytes) return deps.metrics.optimized('skipped');
    const encoded = await deps.processor.encodePng(stored);
    if (encoded.data.length >= stored.length) return deps.metrics.optimized('kept');
    await deps.images.saveOriginal(id, encoded.data);
    // A delete that ran meanwhile removes the record last: without it, the PNG just written is
    // an orphan of a deleted image, and goes.
    if (!(await deps.images.getRecord(id))) {
      await deps.storage.delete(imageKeys.original(id));
      return deps.metrics.optimized('skipped');
    }
    deps.metrics.optimized('optimized', stored.length - encoded.data.length);
  };
}
