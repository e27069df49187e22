// Validates the environment once at start and returns the typed, frozen configuration.
// Nothing else in the code base reads process.env. Each package declares the variables it owns
// in its *.config.ts (zod fields with defaults and checks, and how they become its slice); this
// module only composes those fragments, hands each the values it needs from another's slice,
// and makes the checks that span packages. It reads each fragment through the package's
// `/config` entry, never its index: loading the configuration must not load the domain code
// (Chromium's driver in the API, for one), and the domain packages never import this one.
import { invalid, parseEnv, type Env } from '@pixelfarm/env';
import { egressConfig, type EgressConfig } from '@pixelfarm/egress/config';
import { storageConfig, type StorageConfig } from '@pixelfarm/storage/config';
import { queueConfig, type QueueConfig } from '@pixelfarm/queue/config';
import { rendererConfig, type RendererConfig } from '@pixelfarm/renderer/config';
import { imagingConfig, type ImagingConfig } from '@pixelfarm/imaging/config';
import { createLimitsConfig, type CreateLimits } from '@pixelfarm/schemas/config';
import { destinationsConfig, type DestinationSettings } from '@pixelfarm/destinations/config';
import { healthConfig, type HealthConfig } from '@pixelfarm/health/config';
import { processConfig, type ProcessConfig } from './process.config';
import { apiConfig, type ApiConfig } from './api.config';
import { SHUTDOWN_HAND_BACK_MS, workerConfig, type WorkerConfig } from './worker.config';

const FRAGMENTS = [
  processConfig,
  apiConfig,
  workerConfig,
  queueConfig,
  storageConfig,
  rendererConfig,
  imagingConfig,
  createLimitsConfig,
  egressConfig,
  destinationsConfig,
  healthConfig,
];

// A variable declared by two packages would be read by both with different rules.
const declared = FRAGMENTS.flatMap((f) => Object.keys(f.env));
const twice = declared.filter((name, i) => declared.indexOf(name) !== i);
if (twice.length > 0) throw new Error(`declared by two configuration fragments: ${twice.join(', ')}`);

const SHAPE = {
  ...processConfig.env,
  ...apiConfig.env,
  ...workerConfig.env,
  ...queueConfig.env,
  ...storageConfig.env,
  ...rendererConfig.env,
  ...imagingConfig.env,
  ...createLimitsConfig.env,
  ...egressConfig.env,
  ...destinationsConfig.env,
  ...healthConfig.env,
};

/** Every environment variable the processes read: deployment manifests may set only these. */
export const ENV_VARS: readonly string[] = Object.freeze(Object.keys(SHAPE));

/** The process settings at the top, then one slice per owner, each passed to its package as it is. */
export interface Config extends ProcessConfig {
  api: ApiConfig;
  worker: WorkerConfig;
  queue: QueueConfig;
  storage: StorageConfig;
  renderer: RendererConfig;
  imaging: ImagingConfig;
  /** The limits create requests are validated against (createImageSchema). */
  requests: CreateLimits;
  egress: EgressConfig;
  destinations: DestinationSettings;
  health: HealthConfig;
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const e = parseEnv(SHAPE, env);
  const problems: string[] = [];
  const proc = processConfig.build(e, undefined, problems);
  const api = apiConfig.build(e, undefined, problems);
  const worker = workerConfig.build(e, undefined, problems);
  const renderer = rendererConfig.build(e, { renderSlots: worker.concurrency }, problems);
  const imaging = imagingConfig.build(e, undefined, problems);
  const config: Config = {
    ...proc,
    api,
    worker,
    queue: queueConfig.build(e, { renderWaitMs: api.renderWaitMs, renderTimeoutMs: renderer.timeoutMs }, problems),
    storage: storageConfig.build(e, undefined, problems),
    renderer,
    imaging,
    requests: createLimitsConfig.build(e, { maxRenderPixels: renderer.maxRenderPixels, jumbo: renderer.jumbo, proxyIds: renderer.proxies.map((p) => p.id) }, problems),
    egress: egressConfig.build(e, undefined, problems),
    destinations: destinationsConfig.build(e, { development: proc.usingDevKey }, problems),
    health: healthConfig.build(e, undefined, problems),
  };
  // Every capture the renderer may produce must be decodable by the image processor.
  if (imaging.maxInputPixels < renderer.maxRenderPixels) {
    problems.push(`MAX_INPUT_PIXELS: must be at least MAX_RENDER_PIXELS (${renderer.maxRenderPixels}), or captures could not be processed`);
  }
  if (worker.shutdownGraceMs + SHUTDOWN_HAND_BACK_MS > proc.shutdownTimeoutMs) {
    problems.push(`WORKER_SHUTDOWN_GRACE_MS: must leave ${SHUTDOWN_HAND_BACK_MS} ms of SHUTDOWN_TIMEOUT_MS (${proc.shutdownTimeoutMs}) to hand unfinished jobs back and close`);
  }
  if (problems.length > 0) throw invalid(problems);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
