import { formatDuration, Progress, type ProgressStream } from './progress';

function stream(isTTY: boolean): ProgressStream & { text: string } {
  const s = { text: '', isTTY, columns: 100, write: (t: string) => (s.text += t) };
  return s;
}

describe('Progress', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  it('computes rate over finished lines and ETA over what is left; skipped lines cost no time', () => {
    const p = new Progress({ stream: stream(false), enabled: false, now });
    p.start(100);
    for (let i = 0; i < 10; i++) p.skipped();
    expect(p.snapshot().etaMs).toBeUndefined();
    clock += 10_000;
    for (let i = 0; i < 18; i++) p.done();
    p.failed();
    p.failed();
    expect(p.snapshot()).toMatchObject({ total: 100, done: 18, failed: 2, skipped: 10, elapsedMs: 10_000, rate: 2, etaMs: 35_000 });
  });

  it('draws a bar on a terminal, throttled, with log lines above it', () => {
    const out = stream(true);
    const p = new Progress({ stream: out, enabled: true, now });
    p.start(4);
    clock += 1000;
    p.done();
    p.done(); // within 100 ms of the last draw: not drawn
    clock += 1000;
    p.log('line 3: HTTP 400: html is required');
    p.failed();
    p.stop();
    p.stop();
    const frames = out.text.split('\r\x1b[K').filter(Boolean);
    expect(frames[0]).toMatch(/^\[░+\] 0\/4 {3}0%  0\.0\/s  ETA --:--$/);
    expect(frames[1]).toMatch(/^\[█+░+\] 1\/4 {2}25%  1\.0\/s  ETA 0:03$/);
    expect(frames[2]).toBe('line 3: HTTP 400: html is required\n');
    expect(frames[3]).toMatch(/ 2\/4 {2}50%  1\.0\/s  ETA 0:02$/);
    expect(frames.at(-1)).toMatch(/^\[█+░+\] 3\/4 {2}75%  1\.5\/s  ETA 0:01  1 failed\n$/);
    expect(frames).toHaveLength(5);
  });

  it('writes plain lines without escape codes when stderr is not a terminal', () => {
    const out = stream(false);
    const p = new Progress({ stream: out, enabled: true, now });
    p.start(3);
    clock += 2000;
    p.done();
    p.log('line 2: invalid JSON');
    p.done();
    p.skipped();
    p.stop();
    expect(out.text).not.toMatch(/[\r\x1b]/);
    expect(out.text.split('\n')).toEqual([
      'progress 0/3 (0%) done=0 failed=0 skipped=0 rate=0.0/s eta=--:-- elapsed=0:00',
      'line 2: invalid JSON',
      'progress 3/3 (100%) done=2 failed=0 skipped=1 rate=1.0/s eta=0:00 elapsed=0:02',
      '',
    ]);
  });

  it('prints nothing but log lines when disabled (--quiet)', () => {
    const out = stream(true);
    const p = new Progress({ stream: out, enabled: false, now });
    p.start(2);
    p.info('rendering 2 of 2 lines');
    p.done();
    p.log('line 1: boom');
    p.stop();
    expect(out.text).toBe('line 1: boom\n');
  });
});

it('formats durations', () => {
  expect([formatDuration(undefined), formatDuration(0), formatDuration(7_400), formatDuration(750_000), formatDuration(3_723_000)]).toEqual([
    '--:--',
    '0:00',
    '0:07',
    '12:30',
    '1:02:03',
  ]);
});
