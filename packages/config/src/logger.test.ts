// The logger writes one JSON object per line whatever it is given (circular objects, BigInts,
// errors with causes), keeps its own keys, redacts secrets and user-given header values, and
// binds a scope's request id to every line logged inside it.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@pixelfarm/config';

/** A logger writing into an array of parsed lines. */
function capture(level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'debug'): { logger: Logger; lines: Record<string, unknown>[]; raw: string[] } {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger('test', level, { destination }), raw, lines };
}

describe('createLogger', () => {
  it('writes a JSON line with level, time, name and msg', () => {
    const { logger, lines } = capture();
    logger.info('hello', { a: 1 });
    expect(lines).toEqual([{ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), name: 'test', a: 1, msg: 'hello' }]);
  });

  it('logs circular objects and BigInts (JSON.stringify threw on both)', () => {
    const { logger, lines } = capture();
    const job: Record<string, unknown> = { id: 'j1' };
    job.self = job;
    expect(() => logger.info('circular', { job, bytes: 10n ** 20n })).not.toThrow();
    expect(lines[0]).toMatchObject({ msg: 'circular', job: { id: 'j1' }, bytes: 1e20 });
    expect(JSON.stringify(lines[0])).toContain('[Circular]');
  });

  it('keeps its own level, time and msg when a field has the same name', () => {
    const { logger, raw, lines } = capture();
    logger.warn('real', { level: 'debug', time: 'yesterday', msg: 'fake', name: 'other' });
    // One of each key in the text itself, not only after a JSON reader kept the last duplicate.
    for (const key of ['level', 'time', 'msg', 'name']) expect(raw[0]!.split(`"${key}":`)).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'real', name: 'test', field_level: 'debug', field_time: 'yesterday', field_msg: 'fake', field_name: 'other' });
  });

  it('serialises errors with their type, message, stack and cause', () => {
    const { logger, lines } = capture();
    logger.error('failed', { err: new TypeError('outer', { cause: new Error('inner') }), error: new RangeError('also') });
    expect(lines[0]).toMatchObject({
      err: { type: 'TypeError', message: 'outer', stack: expect.stringContaining('TypeError: outer'), cause: { type: 'Error', message: 'inner' } },
      error: { type: 'RangeError', message: 'also' },
    });
  });

  it('redacts credentials, keys, secrets and the values of header maps', () => {
    const { logger, raw, lines } = capture();
    logger.info('secrets', {
      req: { headers: { authorization: 'Basic dGVzdGVyOnRlc3Rlci1zZWNyZXQta2V5', cookie: 'sid=1', host: 'api.test' } },
      api_key: 'tester-secret-key',
      destination: { bucket: 'b', secretAccessKey: 'S3-SECRET', nested: { password: 'pw' } },
      job: { request: { html: '<p>x</p>', headers: { 'X-Customer-Token': 'user-given-token' } } },
      headers: { Authorization: 'Bearer user-token' },
      webhook: { secret: 'whsec_abc', secrets: ['whsec_a', 'whsec_b'] },
    });
    const text = raw.join('\n');
    for (const secret of ['dGVzdGVyOnRlc3Rlci1zZWNyZXQta2V5', 'sid=1', 'tester-secret-key', 'S3-SECRET', '"pw"', 'user-given-token', 'user-token', 'whsec_']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      // Every header value of a request is something a client chose.
      req: { headers: { authorization: '[Redacted]', cookie: '[Redacted]', host: '[Redacted]' } },
      api_key: '[Redacted]',
      destination: { bucket: 'b', secretAccessKey: '[Redacted]', nested: { password: '[Redacted]' } },
      // Header names stay readable; what the user gave does not.
      job: { request: { html: '<p>x</p>', headers: { 'X-Customer-Token': '[Redacted]' } } },
    });
  });

  it('binds fields in child loggers, and honours the level', () => {
    const { logger, lines } = capture('info');
    const child = logger.child({ component: 'renderer' }).child({ page: 3 });
    child.debug('hidden');
    child.info('shown', { extra: true });
    expect(lines).toEqual([expect.objectContaining({ component: 'renderer', page: 3, extra: true, msg: 'shown' })]);
    const silent = capture('silent');
    silent.logger.error('nothing');
    expect(silent.raw).toEqual([]);
  });

  it('adds the scope of runWith to every line inside it, across awaits and children, and nowhere else', async () => {
    const { logger, lines, raw } = capture();
    const child = logger.child({ component: 'queue' });
    await Promise.all(
      ['r1', 'r2'].map((reqId) =>
        logger.runWith({ reqId }, async () => {
          await new Promise((r) => setTimeout(r, reqId === 'r1' ? 20 : 5));
          child.info('inside');
          expect(logger.scope()).toEqual({ reqId });
          // A nested scope adds to the outer one; a field of the line itself is not written twice.
          logger.runWith({ job: 'j' }, () => logger.info('nested', { reqId }));
        }),
      ),
    );
    logger.info('outside');
    expect(lines.map((l) => [l.msg, l.reqId, l.job])).toEqual([
      ['inside', 'r2', undefined],
      ['nested', 'r2', 'j'],
      ['inside', 'r1', undefined],
      ['nested', 'r1', 'j'],
      ['outside', undefined, undefined],
    ]);
    expect(logger.scope()).toBeUndefined();
    expect(raw.every((line) => line.split('"reqId":').length <= 2)).toBe(true);
  });
});
