// The url a create answers with: the image id, and the extension of the chosen format.
import type { CreateImageRequest } from '@pixelfarm/schemas';
import { storedOnlyAtDestination, type DestinationRef } from '@pixelfarm/destinations';

/** `format` only chooses the extension of the returned url; png is the default and has none. */
export function extOf(request: Pick<CreateImageRequest, 'format'>): string {
  return request.format && request.format !== 'png' ? `.${request.format}` : '';
}

export function imageUrl(publicUrl: string, plan: { id: string; request: Pick<CreateImageRequest, 'format'>; destination?: DestinationRef }): string {
  return `${publicUrl}/v1/${storedOnlyAtDestination(plan) ? 'store' : 'image'}/${plan.id}${extOf(plan.request)}`;
}
