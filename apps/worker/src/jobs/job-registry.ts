// Maps job names to processors. Start-up fails when a job name of the contract has no
// processor, or one is registered twice, instead of failing jobs at run time.
import { JOB_NAMES, type JobName, type JobProcessor } from '@pixelfarm/queue';

export function buildJobRegistry(entries: ReadonlyArray<[JobName, JobProcessor]>): ReadonlyMap<JobName, JobProcessor> {
  const registry = new Map<JobName, JobProcessor>();
  for (const [name, processor] of entries) {
    if (registry.has(name)) throw new Error(`Job "${name}" has two processors`);
    registry.set(name, processor);
  }
  for (const name of Object.values(JOB_NAMES)) {
    if (!registry.has(name)) throw new Error(`Job "${name}" has no processor`);
  }
  return registry;
}
