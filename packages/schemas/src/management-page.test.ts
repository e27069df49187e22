import { ValidationError } from '@pixelfarm/errors';
import { pageOf } from './management-page';

const items = Array.from({ length: 25 }, (_, i) => ({ id: `x-${String(i).padStart(2, '0')}`, created_at: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z` }));
const at = (x: { id: string; created_at: string }) => x;

describe('pageOf', () => {
  it('pages newest first, 10 by default, until next_page_start is null', () => {
    const first = pageOf(items, at, {});
    expect(first.data.map((x) => x.id)).toEqual(items.slice(15).reverse().map((x) => x.id));
    const second = pageOf(items, at, { page_start: first.pagination.next_page_start });
    expect(second.data[0]!.id).toBe('x-14');
    const third = pageOf(items, at, { page_start: second.pagination.next_page_start, count: '10' });
    expect(third.data.map((x) => x.id)).toEqual(['x-04', 'x-03', 'x-02', 'x-01', 'x-00']);
    expect(third.pagination.next_page_start).toBeNull();
  });

  it('keeps its place when the last item given is deleted', () => {
    const first = pageOf(items, at, { count: '2' });
    const rest = items.filter((x) => x.id !== first.data[1]!.id);
    expect(pageOf(rest, at, { count: '2', page_start: first.pagination.next_page_start }).data.map((x) => x.id)).toEqual(['x-22', 'x-21']);
  });

  it('answers an exactly full last page with a null cursor, and an empty list with an empty page', () => {
    expect(pageOf(items.slice(0, 10), at, {}).pagination.next_page_start).toBeNull();
    expect(pageOf([], at, {})).toEqual({ data: [], pagination: { next_page_start: null } });
  });

  it.each([[{ count: '0' }], [{ count: '101' }], [{ count: '1e2' }], [{ page_start: 'garbage' }], [{ page_start: ['a', 'b'] }]])('refuses %j with a 400', (query) => {
    expect(() => pageOf(items, at, query)).toThrow(ValidationError);
  });
});
