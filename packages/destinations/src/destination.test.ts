// The destination rules every side reads: which base object an image has, where it is stored,
// and the object written for it.
import { baseIsPdf, storedOnlyAtDestination } from './destination';
import { baseObject } from './destination-writes';

describe('destination rules', () => {
  it('the base object is the PDF of an image that asks for one', () => {
    expect([baseIsPdf({}), baseIsPdf({ format: 'pdf' }), baseIsPdf({ pdf_options: {} }), baseIsPdf({ format: 'webp' })]).toEqual([false, true, true, false]);
  });

  it('an image is stored only at its destination when that keeps no copy here', () => {
    expect(storedOnlyAtDestination({})).toBe(false);
    expect(storedOnlyAtDestination({ destination: { id: 'sd-1', keep_copy: true } })).toBe(false);
    expect(storedOnlyAtDestination({ destination: { id: 'sd-1', keep_copy: false } })).toBe(true);
  });

  it('builds the base object under hcti\'s key, with its content type', () => {
    const body = Buffer.from('x');
    expect(baseObject('img', 'png', body)).toEqual({ name: 'base', objectName: 'img.png', body, contentType: 'image/png' });
    expect(baseObject('img', 'pdf', body)).toEqual({ name: 'base', objectName: 'img.pdf', body, contentType: 'application/pdf' });
  });
});
