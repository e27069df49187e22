// The OpenAPI builder refuses catalogues that would make an invalid or misleading document.
import { z } from 'zod';
import { buildOpenApiDocument, expandOptionalSegment } from './openapi-document';
import type { OperationDoc } from './operation-doc';

const INFO = { title: 't', version: 'v1', description: 'd', serverUrl: 'http://x.test' };
const op = (over: Partial<OperationDoc>): OperationDoc => ({
  id: 'op',
  method: 'get',
  path: '/a',
  tag: 'T',
  summary: 's',
  access: 'public',
  responses: { 200: { description: 'ok' } },
  ...over,
});

describe('buildOpenApiDocument', () => {
  it('documents an optional trailing segment as two paths', () => {
    expect(expandOptionalSegment('/a/{x}[/{fmt_name}]')).toEqual([
      { path: '/a/{x}', suffix: '' },
      { path: '/a/{x}/{fmt_name}', suffix: 'WithFmtName' },
    ]);
    const doc = buildOpenApiDocument([op({ path: '/a/{x}[/{y}]', pathParams: { x: { description: 'x' }, y: { description: 'y' } } })], INFO);
    expect(Object.keys(doc.paths)).toEqual(['/a/{x}', '/a/{x}/{y}']);
    expect(doc.paths['/a/{x}/{y}']!.get!.operationId).toBe('opWithY');
  });

  it('refuses templates that differ only in parameter names, duplicates and undescribed path parameters', () => {
    const a = op({ id: 'a', path: '/i/{id}', pathParams: { id: { description: 'id' } } });
    const b = op({ id: 'b', method: 'post', path: '/i/{template_id}', pathParams: { template_id: { description: 't' } } });
    expect(() => buildOpenApiDocument([a, b], INFO)).toThrow(/differ only in parameter names/);
    expect(() => buildOpenApiDocument([a, { ...a, id: 'c' }], INFO)).toThrow(/listed twice/);
    expect(() => buildOpenApiDocument([op({ path: '/i/{id}' })], INFO)).toThrow(/\{id\} has no description/);
  });

  it('states a url field’s protocols as a case-insensitive pattern and adds the common errors', () => {
    const schema = z.strictObject({ url: z.url({ protocol: /^https?$/ }).optional() });
    const doc = buildOpenApiDocument([op({ method: 'post', access: 'basic', body: { name: 'B', schema, example: {} } })], INFO);
    expect(doc.components.schemas.B!.properties!.url).toMatchObject({ format: 'uri', pattern: '^(?:[Hh][Tt][Tt][Pp][Ss]?):' });
    expect(Object.keys(doc.paths['/a']!.post!.responses!)).toEqual(['200', '400', '401', '413', '429']);
    expect(doc.paths['/a']!.post!.security).toEqual([{ basicAuth: [] }]);
  });
});
