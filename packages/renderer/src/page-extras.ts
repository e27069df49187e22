// Optional page additions of a create request: web fonts from the configured fonts CSS
// endpoint (google_fonts) and CSS that hides common cookie-consent banners.

/**
 * The fonts CSS URL for a google_fonts value such as "Roboto" or "Open Sans|Roboto:400,700",
 * in the CSS2 API's syntax (family=Roboto:wght@400;700, one family parameter each).
 */
export function fontsCssHref(fontsCssUrl: string, googleFonts: string): string {
  const url = new URL(fontsCssUrl);
  for (const spec of googleFonts.split('|').map((s) => s.trim()).filter(Boolean)) {
    const [name, weights] = spec.split(':');
    const list = weights?.split(/[,;]/).filter((w) => /^\d+$/.test(w));
    url.searchParams.append('family', list && list.length > 0 ? `${name}:wght@${list.join(';')}` : name!);
  }
  url.searchParams.set('display', 'block');
  return url.toString();
}

// The consent-management platforms seen most on the web, by their documented root elements.
const CONSENT_SELECTORS = [
  '#onetrust-consent-sdk', '#onetrust-banner-sdk', '.onetrust-pc-dark-filter',
  '#CybotCookiebotDialog', '#CybotCookiebotDialogBodyUnderlay',
  '#didomi-host', '.didomi-popup-backdrop',
  '#qc-cmp2-container', '.qc-cmp2-container',
  '#truste-consent-track', '.truste_overlay', '.truste_box_overlay', '#consent_blackbar',
  '.osano-cm-window', '.osano-cm-dialog',
  '.cc-window', '.cc-banner', '.cc-revoke',
  '#cookie-law-info-bar', '.cky-consent-container', '.cky-overlay',
  '#usercentrics-root', '#uc-banner',
  '.fc-consent-root', '[id^="sp_message_container"]',
  '#iubenda-cs-banner', '#cmplz-cookiebanner-container', '.cmplz-cookiebanner',
  '#klaro', '.klaro', '#termly-code-snippet-support', '#hs-eu-cookie-confirmation',
  '#cookie-banner', '.cookie-banner', '#cookieConsent', '.cookie-consent', '#cookie-notice', '.cookie-notice',
  '#gdpr-cookie-notice', '.gdpr-banner', '#CookieBanner', '[aria-label="cookieconsent"]',
];

/** CSS that hides consent banners and undoes the scroll lock some of them put on the page. */
export const CONSENT_BANNER_CSS =
  `${CONSENT_SELECTORS.join(',')}{display:none!important;visibility:hidden!important}` +
  `html,body{overflow:auto!important}`;
