// Random bodies through the real HTTP stack (parsers, auth, validation, error mapping):
// the API never answers 500 and always answers with the JSON error shape.
import fc from 'fast-check';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { basicAuth, testEnv } from '../support/test-env';

describe('HTTP fuzzing of POST /v1/image', () => {
  let api: ApiApp;

  beforeAll(async () => {
    // No worker: a body that validates waits RENDER_WAIT_MS and gets 503, which is fine here.
    api = createApiApp(loadConfig(testEnv({ RENDER_WAIT_MS: '1000', RATE_LIMIT_PER_MINUTE: '100000' })), createLogger('t', 'silent'));
    await api.ready();
  });
  afterAll(() => api?.close());

  const allowed = [200, 400, 413, 415, 503];

  it('answers random JSON bodies with a documented status and the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('html', 'url', 'css', 'device_scale', 'viewport_width', 'viewport_height', 'selector', 'metadata', 'x'), fc.anything({ maxDepth: 2 }), { maxKeys: 5 }),
        async (body) => {
          const res = await request(api.handler).post('/v1/image').set('Authorization', basicAuth()).send(body);
          if (!allowed.includes(res.status)) throw new Error(`status ${res.status} for ${JSON.stringify(body)}`);
          if (res.status !== 200) expect(res.body).toMatchObject({ statusCode: res.status, message: expect.any(String) });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers random raw bytes under every content type without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'text/plain', 'application/json; charset=latin9'),
        async (bytes, type) => {
          const res = await request(api.handler).post('/v1/image').set('Authorization', basicAuth()).set('Content-Type', type).send(Buffer.from(bytes));
          if (!allowed.includes(res.status)) throw new Error(`status ${res.status} for ${type} ${Buffer.from(bytes).toString('hex')}`);
          expect(res.headers['content-type']).toMatch(/application\/json/);
        },
      ),
      { numRuns: 150 },
    );
  });
});
