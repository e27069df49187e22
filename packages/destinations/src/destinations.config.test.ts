import { readFragment } from '@pixelfarm/env';
import { DEV_DESTINATIONS_KEY, destinationsConfig } from '@pixelfarm/destinations';

describe('destinations configuration', () => {
  it('seals with the public development key only beside the development API key, and is off otherwise', () => {
    expect(readFragment(destinationsConfig, {}, { development: true })).toEqual({ keys: [DEV_DESTINATIONS_KEY], usingDevKey: true, attempts: 3, timeoutMs: 10_000, perAccount: 25, aws: undefined });
    expect(readFragment(destinationsConfig, {}, { development: false })).toMatchObject({ keys: [], usingDevKey: false });
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(readFragment(destinationsConfig, { DESTINATIONS_KEY: key }, { development: true })).toMatchObject({ keys: [key], usingDevKey: false });
  });

  it('opens aws_s3 destinations only with a writer role', () => {
    const arn = 'arn:aws:iam::123456789012:role/pixelfarm-writer';
    expect(readFragment(destinationsConfig, { DESTINATIONS_AWS_WRITER_ROLE_ARN: arn }, { development: true }).aws).toEqual({ writerRoleArn: arn, externalIdPrefix: 'pixelfarm:', stsEndpoint: undefined, s3Endpoint: undefined, credentials: undefined });
    expect(() => readFragment(destinationsConfig, { DESTINATIONS_AWS_ACCESS_KEY_ID: 'k' }, { development: true })).toThrow('DESTINATIONS_AWS_ACCESS_KEY_ID/DESTINATIONS_AWS_SECRET_ACCESS_KEY: set both or neither');
    expect(() => readFragment(destinationsConfig, { DESTINATIONS_AWS_WRITER_ROLE_ARN: 'writer' }, { development: true })).toThrow(/DESTINATIONS_AWS_WRITER_ROLE_ARN: must be an IAM role ARN/);
  });

  it('names a bad key without echoing it', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    const read = () => readFragment(destinationsConfig, { DESTINATIONS_KEY: short }, { development: false });
    expect(read).toThrow('DESTINATIONS_KEY: the key must hold 32 bytes, it holds 16');
    expect(read).not.toThrow(short);
  });
});
