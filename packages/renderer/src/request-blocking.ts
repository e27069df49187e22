// Which browser requests a render's request_overrides block (hcti parameters/request_overrides):
// a rule matches a request when its `url` wildcard matches the whole URL (case-sensitive, `*` any
// run of characters) and one of its `resource_types` is the request's, each when given; a request
// is blocked when any rule matches. The browser reports DevTools resource types; hcti names them
// as its clients do. Chromium does not tell an <img> image from a CSS image-set() one, so image,
// img and image_set all name every image; a sendBeacon() request is a ping to Chromium.
import type { RequestOverride, RequestResourceType } from '@pixelfarm/schemas';

/** hcti's names of each DevTools Network.ResourceType; any other type is `other`. */
const TYPE_NAMES: Record<string, readonly RequestResourceType[]> = {
  Document: ['document'],
  Stylesheet: ['stylesheet'],
  Image: ['image', 'img', 'image_set'],
  Media: ['media'],
  Font: ['font'],
  Script: ['script'],
  TextTrack: ['text_track'],
  XHR: ['xhr'],
  Fetch: ['fetch'],
  EventSource: ['event_source'],
  Manifest: ['manifest'],
  Ping: ['ping', 'beacon'],
};

/** The hcti names of a DevTools resource type. */
export function resourceTypeNames(devtoolsType: string): readonly RequestResourceType[] {
  return TYPE_NAMES[devtoolsType] ?? ['other'];
}

/**
 * Whether `pattern` (`*` any run of characters, everything else literal) matches all of `text`.
 * Iterative with one backtrack point, so a pattern of many stars costs at most pattern × text
 * steps (a regular expression of `.*`s can take exponentially long).
 */
export function wildcardMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A render's block rules, ready to judge its requests. */
export class RequestBlocker {
  constructor(private readonly rules: readonly RequestOverride[]) {}

  /** True when some rule blocks a request of this URL and DevTools resource type. */
  blocks(url: string, devtoolsType: string): boolean {
    const names = resourceTypeNames(devtoolsType);
    return this.rules.some(
      (rule) => (rule.url === undefined || wildcardMatches(rule.url, url)) && (rule.resource_types === undefined || rule.resource_types.some((t) => names.includes(t))),
    );
  }
}
