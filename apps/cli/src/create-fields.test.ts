// The CLI does not depend on the server's packages at run time; this test holds the copied
// field list to the schema the API validates with, so a new field cannot be silently dropped.
import { createImageSchema } from '@pixelfarm/schemas';
import { CREATE_IMAGE_FIELDS } from './create-fields';

/** The limits these tests do not vary, at the configuration's defaults (hcti's jumbo limits, no proxies). */
const OTHER_LIMITS = { maxPdfPageInches: 200, jumbo: { maxSide: 80_000, maxPixels: 400_000_000 }, proxyIds: [] as string[] };

it('lists exactly the fields of the create-image schema', () => {
  const schema = createImageSchema({ ...OTHER_LIMITS, maxHtmlChars: 1000, maxViewportWidth: 6000, maxViewportHeight: 6000, maxRenderPixels: 1e9 });
  const keys = Object.keys((schema as unknown as { shape: Record<string, unknown> }).shape);
  expect(keys.length).toBeGreaterThan(20);
  expect([...CREATE_IMAGE_FIELDS].sort()).toEqual(keys.sort());
});
