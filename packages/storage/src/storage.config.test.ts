import path from 'node:path';
import { readFragment } from '@pixelfarm/env';
import { storageConfig } from '@pixelfarm/storage';

const S3 = { STORAGE_DRIVER: 's3', S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9000' };

describe('storage configuration', () => {
  it('keeps objects in ./data and streams them by default', () => {
    expect(readFragment(storageConfig, {}, undefined)).toEqual({ driver: 'fs', dir: path.resolve('data'), serve: { mode: 'stream', redirectTtlS: 3600 } });
  });

  it('builds the S3 driver options, signing redirects for S3_ENDPOINT unless a public endpoint is named', () => {
    const c = readFragment(storageConfig, { ...S3, SERVE_MODE: 'redirect' }, undefined);
    expect(c).toEqual({
      driver: 's3',
      s3: { endpoint: S3.S3_ENDPOINT, region: 'us-east-1', bucket: 'b', forcePathStyle: true, publicEndpoint: S3.S3_ENDPOINT, maxAttempts: 3 },
      serve: { mode: 'redirect', redirectTtlS: 3600 },
    });
    const pub = readFragment(storageConfig, { ...S3, S3_PUBLIC_ENDPOINT: 'https://img.example' }, undefined);
    expect(pub.driver === 's3' && pub.s3.publicEndpoint).toBe('https://img.example');
    const patient = readFragment(storageConfig, { ...S3, S3_MAX_ATTEMPTS: '6' }, undefined);
    expect(patient.driver === 's3' && patient.s3.maxAttempts).toBe(6);
    expect(() => readFragment(storageConfig, { ...S3, S3_MAX_ATTEMPTS: '0' }, undefined)).toThrow(/S3_MAX_ATTEMPTS/);
  });

  it('needs a bucket, both S3 keys or neither, and S3 for redirects', () => {
    expect(() => readFragment(storageConfig, { STORAGE_DRIVER: 's3', S3_ACCESS_KEY_ID: 'k' }, undefined)).toThrow(
      'Invalid configuration: S3_BUCKET: required when STORAGE_DRIVER=s3; S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY: set both or neither',
    );
    expect(() => readFragment(storageConfig, { SERVE_MODE: 'redirect' }, undefined)).toThrow(/SERVE_MODE: redirect needs STORAGE_DRIVER=s3/);
    expect(() => readFragment(storageConfig, { SERVE_REDIRECT_TTL_S: '59' }, undefined)).toThrow(/SERVE_REDIRECT_TTL_S/);
  });
});
