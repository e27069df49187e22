// What the worker does with the events its parts report but cannot act on themselves: a page's
// request the egress policy refused, and a failed count of waiting interactive renders.
import type { Logger } from '@pixelfarm/config';
import type { EgressRefusal } from '@pixelfarm/renderer';
import type { EgressMetrics } from '@pixelfarm/metrics';

/** Refused egress is a page probing what it may not reach (or a site URL_ALLOWLIST should open): counted by reason and logged. */
export function reportEgressRefusal(metrics: EgressMetrics, logger: Logger): (host: string, reason: EgressRefusal) => void {
  return (host, reason) => {
    metrics.refused(reason);
    logger.info('egress refused', { host, reason });
  };
}

/** A failed poll leaves the slots as they were; the log says why they stopped following demand. */
export function reportDemandPollError(logger: Logger): (err: Error) => void {
  return (err) => logger.warn('interactive demand poll failed; slots unchanged', { error: err.message });
}
