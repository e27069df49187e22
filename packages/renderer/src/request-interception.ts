// What a render does to its page's requests before they are sent: block those its
// request_overrides name (request-blocking.ts), and add custom headers where they belong
// (request-headers.ts). Playwright's route.continue() carries a header override over to the
// redirects it causes (microsoft/playwright#32939), which would leak a token through a
// cross-origin redirect, so requests are paused with the DevTools Fetch domain instead: Chromium
// pauses every hop, an override applies to that hop only, and a blocked request fails in the
// browser without being sent. Renders with neither never pause a request.
import type { CDPSession } from 'playwright-core';
import { headersFor, mergeHeaders, type HeaderPlan } from './request-headers';
import type { RequestBlocker } from './request-blocking';

export interface InterceptionPlan {
  headers: HeaderPlan | null;
  blocker: RequestBlocker | null;
}

interface RequestPaused {
  requestId: string;
  request: { url: string; headers: Record<string, string> };
  frameId: string;
  resourceType: string;
}

/**
 * Pauses every request of the page and blocks or amends it as the plan says. Call before the
 * page loads anything; the session's lifetime bounds the interception.
 */
export async function interceptRequests(cdp: CDPSession, plan: InterceptionPlan): Promise<void> {
  const { headers, blocker } = plan;
  if (!headers && !blocker) return;
  const { frameTree } = await cdp.send('Page.getFrameTree');
  const mainFrame = frameTree.frame.id;
  cdp.on('Fetch.requestPaused', (event: RequestPaused) => {
    // A request the page cancelled meanwhile cannot be continued or failed: nothing is left to do for it.
    if (blocker?.blocks(event.request.url, event.resourceType)) {
      cdp.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' }).catch(() => undefined);
      return;
    }
    const topLevel = event.resourceType === 'Document' && event.frameId === mainFrame;
    const extra = headers ? headersFor(headers, event.request.url, topLevel) : {};
    const amended = Object.keys(extra).length > 0 ? mergeHeaders(event.request.headers, extra) : undefined;
    cdp.send('Fetch.continueRequest', { requestId: event.requestId, ...(amended ? { headers: amended } : {}) }).catch(() => undefined);
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
}
