// The card size each social platform prefers, told apart by its crawler's User-Agent, as hcti's
// OG docs list them (getting-started/og-images, "Choose image size optimization"). Apple
// Messages' crawler also names Facebook's and Twitter's, so it is matched first; anything not
// recognised gets the generic 1200 × 630.

export interface Viewport {
  width: number;
  height: number;
}

/** hcti's generic card: also the size of a configuration that sets no viewport. */
export const GENERIC_CARD: Viewport = { width: 1200, height: 630 };

const PLATFORMS: readonly [RegExp, Viewport][] = [
  [/facebookexternalhit\/1\.1 Facebot Twitterbot\/1\.0/i, { width: 1200, height: 628 }], // Apple Messages
  [/LinkedInBot|Bluesky/i, { width: 1200, height: 627 }],
  [/Twitterbot/i, { width: 1200, height: 600 }],
  [/Pinterest/i, { width: 1000, height: 1500 }],
  [/Mastodon/i, { width: 1200, height: 675 }],
  [/Instagram/i, { width: 1080, height: 1080 }],
];

/** The viewport the requesting platform's cards are made at. */
export function crawlerViewport(userAgent: string | undefined): Viewport {
  return PLATFORMS.find(([pattern]) => pattern.test(userAgent ?? ''))?.[1] ?? GENERIC_CARD;
}
