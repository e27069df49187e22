// What a render needs beside its request, opened by the worker when the render starts: the
// account's own proxy its proxy_id names (read now, so a proxy edited, disabled or deleted since
// the create applies; a deleted or disabled one fails the render as the request's fault).
import { isAccountProxyId } from '@pixelfarm/schemas';
import type { ProxyDirectory } from '@pixelfarm/proxies';
import type { RenderScope } from '@pixelfarm/renderer';
import type { RenderJobData } from '@pixelfarm/queue';

export async function renderScopeOf(proxies: Pick<ProxyDirectory, 'open'>, data: Pick<RenderJobData, 'account' | 'request'>): Promise<RenderScope> {
  const id = data.request.proxy_id;
  return isAccountProxyId(id) ? { upstream: await proxies.open(data.account, id) } : {};
}
