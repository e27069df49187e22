import { RequestBlocker, resourceTypeNames, wildcardMatches } from './request-blocking';

describe('request_overrides matching', () => {
  it('matches hcti\'s wildcard examples: the whole URL, * any run (empty too), case-sensitive', () => {
    expect(wildcardMatches('*://cdn.example.com/*.js', 'https://cdn.example.com/app/main.js')).toBe(true);
    expect(wildcardMatches('*://cdn.example.com/*.js', 'https://cdn.example.com/main.js?v=2')).toBe(false);
    expect(wildcardMatches('*.js', 'https://other.example/x.js')).toBe(true);
    expect(wildcardMatches('*.js', 'https://other.example/x.json')).toBe(false);
    expect(wildcardMatches('https://example.com/report', 'https://example.com/report')).toBe(true);
    expect(wildcardMatches('https://example.com/report', 'https://example.com/report/')).toBe(false);
    expect(wildcardMatches('https://example.com/*', 'https://example.com/')).toBe(true);
    expect(wildcardMatches('*://Example.com/*', 'https://example.com/a')).toBe(false);
    expect(wildcardMatches('*', '')).toBe(true);
    expect(wildcardMatches('a*b*c', 'axxbyyc')).toBe(true);
    expect(wildcardMatches('a*b*c', 'axxbyy')).toBe(false);
  });

  it('takes linear-ish time on patterns that make regular expressions backtrack', () => {
    const pattern = `${'*a'.repeat(250)}b`;
    const started = performance.now();
    expect(wildcardMatches(pattern, 'a'.repeat(8000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('names DevTools resource types as hcti does', () => {
    expect(resourceTypeNames('Image')).toEqual(['image', 'img', 'image_set']);
    expect(resourceTypeNames('Ping')).toContain('beacon');
    expect(resourceTypeNames('TextTrack')).toEqual(['text_track']);
    expect(resourceTypeNames('WebSocket')).toEqual(['other']);
  });

  it('blocks when any rule matches, a rule matching when all its matchers do', () => {
    const blocker = new RequestBlocker([
      { action: 'block', url: '*://analytics.example.com/*', resource_types: ['script'] },
      { action: 'block', resource_types: ['beacon'] },
    ]);
    expect(blocker.blocks('https://analytics.example.com/t.js', 'Script')).toBe(true);
    expect(blocker.blocks('https://analytics.example.com/pixel.gif', 'Image')).toBe(false);
    expect(blocker.blocks('https://example.com/t.js', 'Script')).toBe(false);
    expect(blocker.blocks('https://example.com/collect', 'Ping')).toBe(true);
  });
});
