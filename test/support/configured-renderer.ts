// The renderer's configured slice with every default, as a worker with two render slots gets
// it: tests that build a ChromiumRenderer or BrowserHost spread it and override what they test.
import { readFragment } from '@pixelfarm/env';
import { rendererConfig, type RendererConfig } from '@pixelfarm/renderer';

export function configuredRenderer(env: Record<string, string | undefined> = {}): RendererConfig {
  return readFragment(rendererConfig, { CHROMIUM_PATH: process.env.CHROMIUM_PATH, ...env }, { renderSlots: 2 });
}
