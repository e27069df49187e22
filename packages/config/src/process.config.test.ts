import { readFragment } from '@pixelfarm/env';
import { DEV_API_KEY, processConfig } from './process.config';

describe('process configuration', () => {
  it('runs with the development key pair until API_KEYS is set', () => {
    expect(readFragment(processConfig, {}, undefined)).toEqual({
      env: 'development',
      host: '0.0.0.0',
      logLevel: 'info',
      shutdownTimeoutMs: 25_000,
      apiKeys: [DEV_API_KEY],
      usingDevKey: true,
    });
    expect(readFragment(processConfig, { API_KEYS: 'a:12345678' }, undefined)).toMatchObject({ apiKeys: [{ id: 'a', key: '12345678' }], usingDevKey: false });
  });

  it('names a bad API_KEYS and log level', () => {
    expect(() => readFragment(processConfig, { API_KEYS: 'a:short' }, undefined)).toThrow(/API_KEYS: .*at least 8/);
    expect(() => readFragment(processConfig, { LOG_LEVEL: 'loud' }, undefined)).toThrow(/LOG_LEVEL/);
  });
});
