// The durable record of what an account owns (the request with the image, and the listing
// entry), written by the create that owns the image and undone, the one way, when it gives up.
import { removeAccountImage, type AccountImageIndex, type ImageStore } from '@pixelfarm/storage';
import type { OwnerPlan } from './create-plan';
import { extOf } from './image-url';

export interface ImageRecordsDeps {
  images: Pick<ImageStore, 'saveRecord' | 'getRecord' | 'deleteImage'>;
  index: Pick<AccountImageIndex, 'add' | 'remove'>;
}

export class ImageRecords {
  constructor(private readonly deps: ImageRecordsDeps) {}

  async record(account: string, plan: OwnerPlan, createdAt: string): Promise<void> {
    const { destination, definition } = plan;
    await this.deps.images.saveRecord({ id: plan.id, account, created_at: createdAt, request: plan.request, template: plan.template, definition, destination });
    await this.deps.index.add(account, {
      id: plan.id,
      created_at: createdAt,
      ext: extOf(plan.request),
      metadata: plan.request.metadata,
      // The worker replaces `pending` with the outcome of the destination write.
      ...(destination ? { storage_destination: { ...destination, status: 'pending' as const } } : {}),
    });
  }

  forget(account: string, id: string): Promise<void> {
    return removeAccountImage(this.deps, account, id);
  }
}
