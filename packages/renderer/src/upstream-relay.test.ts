import { isBypassed } from './upstream-relay';

describe('isBypassed', () => {
  it('matches a listed host exactly (case and a trailing dot aside), and subdomains of a "*." entry only', () => {
    const entries = ['fonts.googleapis.com', '*.cdn.example', '127.0.0.1', '[::1]'];
    expect(isBypassed('FONTS.googleapis.com.', entries)).toBe(true);
    expect(isBypassed('evil-fonts.googleapis.com', entries)).toBe(false);
    expect(isBypassed('a.cdn.example', entries)).toBe(true);
    expect(isBypassed('cdn.example', entries)).toBe(false);
    expect(isBypassed('127.0.0.1', entries)).toBe(true);
    expect(isBypassed('[::1]', entries)).toBe(true);
    expect(isBypassed('127.0.0.2', entries)).toBe(false);
    expect(isBypassed('anything', [])).toBe(false);
  });
});
