// Plans of requests, for tests that drive the renderer directly as the worker does: the request
// is interpreted once by planRender, and the renderer reads only the plan.
import { isJumboPlan, planRender, type JumboPlan, type PrintPlan, type RenderPlan } from '@pixelfarm/renderer';
import type { CreateImageRequest } from '@pixelfarm/schemas';

export const planCapture = (request: CreateImageRequest): RenderPlan => planRender(request, 'capture');

export const planPrint = (request: CreateImageRequest): PrintPlan => planRender(request, 'print');

export function planTiles(request: CreateImageRequest): JumboPlan {
  const plan = planRender(request, 'capture');
  if (!isJumboPlan(plan)) throw new Error('The request names no jumbo maxima');
  return plan;
}
