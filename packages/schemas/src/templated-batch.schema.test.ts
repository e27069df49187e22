import { mergeTemplateValues } from './templated-batch.schema';

describe('mergeTemplateValues', () => {
  it('merges objects key by key; arrays, scalars and null replace', () => {
    const merged = mergeTemplateValues({ a: 1, o: { x: 1, y: [1] }, keep: 'k' }, { a: 2, o: { y: [2], z: null } });
    expect(merged).toEqual({ a: 2, o: { x: 1, y: [2], z: null }, keep: 'k' });
  });

  it('keeps a template value named __proto__ as a value, without touching the prototype', () => {
    const over = JSON.parse('{"__proto__": {"name": "from the request"}, "title": "t"}') as Record<string, unknown>;
    const merged = mergeTemplateValues(JSON.parse('{"__proto__": {"other": 1}}') as Record<string, unknown>, over);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'title']);
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ other: 1, name: 'from the request' });
    expect(JSON.parse(JSON.stringify(merged))).toEqual(JSON.parse('{"__proto__": {"other": 1, "name": "from the request"}, "title": "t"}'));
    // Only in the request's values: kept all the same.
    const added = mergeTemplateValues({ title: 'base' }, over);
    expect(Object.getPrototypeOf(added)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(added, '__proto__')?.value).toEqual({ name: 'from the request' });
  });
});
