import { z } from 'zod';
import { ConfigError } from '@pixelfarm/errors';
import { bool, defineFragment, int, listOf, parseEnv, readFragment } from '@pixelfarm/env';

const fragment = defineFragment({
  env: { SIZE: int(10, 1, 100), ON: bool(false), NAME: z.string().optional() },
  build(e, context: { double: boolean }, problems) {
    if (e.ON && !e.NAME) problems.push('NAME: required when ON=true');
    return { size: context.double ? e.SIZE * 2 : e.SIZE, on: e.ON };
  },
});

describe('configuration fragments', () => {
  it('apply defaults, treat empty values as unset and pass the context', () => {
    expect(readFragment(fragment, {}, { double: false })).toEqual({ size: 10, on: false });
    expect(readFragment(fragment, { SIZE: '', ON: 'yes', NAME: 'n' }, { double: true })).toEqual({ size: 20, on: true });
  });

  it('name every bad variable at once, first those a field refuses, then those the fragment does', () => {
    expect(() => parseEnv(fragment.env, { SIZE: '0', ON: 'maybe' })).toThrow(/^Invalid configuration: SIZE: .*; ON: /);
    expect(() => readFragment(fragment, { ON: 'true' }, { double: false })).toThrow(new ConfigError('Invalid configuration: NAME: required when ON=true'));
  });

  it('split comma-separated lists into trimmed, non-empty entries', () => {
    expect(listOf(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
  });
});
