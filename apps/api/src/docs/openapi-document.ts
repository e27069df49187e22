// Builds the OpenAPI 3.1 document from the routes (each one's OperationDoc). Schemas are converted from the zod
// validators with z.toJSONSchema (JSON Schema 2020-12, the dialect of OpenAPI 3.1, input side),
// so the documented types and limits are the enforced ones.
import { permissionOf } from '../http/route-permissions';
import { z } from 'zod';
import { CREATE_FIELD_DOCS, OTHER_FIELD_DOCS } from '@pixelfarm/schemas';
import type { NamedSchema, OperationDoc } from './operation-doc';
import { errorBody } from './response-schemas';
import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiParameter, OpenApiResponse } from './openapi-types';

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
  /** PUBLIC_URL: the base clients call. */
  serverUrl: string;
}

const FIELD_DOCS: Record<string, string> = { ...CREATE_FIELD_DOCS, ...OTHER_FIELD_DOCS };
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];
const OPTIONAL_SEGMENT = /\[(\/\{([A-Za-z0-9_]+)\})\]$/;

const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** Errors every operation of a kind can answer, added so the catalogue lists only its own. */
const COMMON_ERRORS: Record<string, { description: string; headers?: Record<string, string> }> = {
  '400': { description: 'A parameter or body field is invalid: message names it' },
  '401': { description: 'Missing or wrong credentials', headers: { 'WWW-Authenticate': 'Basic realm="pixelfarm"' } },
  '403': { description: 'The API key lacks the permission this operation requires (x-permission); the message names it' },
  '413': { description: 'The request body is larger than this service accepts' },
  '429': {
    description:
      'The render queue is full, the per-key rate limit (when set) is spent, the account\'s management operation group is (RateLimit-Policy names it), or the image allowance of the period is (error "Plan limit exceeded", no Retry-After)',
    headers: {
      'Retry-After': 'Seconds to wait',
      // draft-ietf-httpapi-ratelimit-headers; every authenticated answer carries them, not only 429s.
      'RateLimit-Policy': 'The per-key token bucket as a quota and window: "default";q=<burst>;w=<seconds to refill it>',
      RateLimit: 'Where the key stands: "default";r=<requests it may send at once now>;t=<seconds until the bucket is full>',
    },
  },
  '503': { description: 'A dependency (Redis, storage) is unavailable' },
};

/**
 * z.toJSONSchema leaves out a url's allowed protocols; state them as a pattern so the documented
 * schema refuses what the validator refuses (URL schemes are case-insensitive, hence [Hh]…).
 */
const urlProtocols: NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override'] = (ctx) => {
  const def = ctx.zodSchema._zod.def as { format?: string; protocol?: RegExp };
  if (def.format !== 'url' || !(def.protocol instanceof RegExp) || ctx.jsonSchema.pattern !== undefined) return;
  // Only plain alternatives of letters (such as ^https?$) can be case-folded this way.
  if (!/^\^?[a-z?|()]+\$?$/i.test(def.protocol.source)) return;
  const scheme = def.protocol.source.replace(/^\^/, '').replace(/\$$/, '').replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
  ctx.jsonSchema.pattern = `^(?:${scheme}):`;
};

const CONVERSION = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', override: urlProtocols } as const;

function toJson(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, CONVERSION) as JsonSchema;
  delete out.$schema;
  return out;
}

/** Adds the one-line meaning of each known field to a schema's properties (types stay the validator's). */
function describeFields(schema: JsonSchema): void {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [name, prop] of Object.entries(props ?? {})) {
    if (prop.description === undefined && FIELD_DOCS[name] !== undefined) prop.description = FIELD_DOCS[name];
  }
}

/** "/a/{x}[/{y}]" → ["/a/{x}", "/a/{x}/{y}"] with the suffix for the operation id of each. */
export function expandOptionalSegment(path: string): Array<{ path: string; suffix: string }> {
  const match = OPTIONAL_SEGMENT.exec(path);
  if (!match) return [{ path, suffix: '' }];
  const base = path.slice(0, match.index);
  const name = match[2]!;
  return [
    { path: base, suffix: '' },
    { path: base + match[1], suffix: `With${name.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}` },
  ];
}

/** A path with its parameter names erased: OpenAPI forbids two templates differing only in names. */
export function pathShape(path: string): string {
  return path.replace(/\{[^}]+\}/g, '{}');
}

class SchemaCollector {
  private readonly registry = z.registry<{ id: string }>();
  private readonly names = new Map<string, z.ZodType>();
  readonly requestNames = new Set<string>();

  ref(named: NamedSchema, request: boolean): JsonSchema {
    const known = this.names.get(named.name);
    if (known && known !== named.schema) throw new Error(`Two different schemas are both named ${named.name}`);
    if (!known) {
      this.names.set(named.name, named.schema);
      this.registry.add(named.schema, { id: named.name });
    }
    if (request) this.requestNames.add(named.name);
    return { $ref: `#/components/schemas/${named.name}` };
  }

  schemas(): Record<string, JsonSchema> {
    const { schemas } = z.toJSONSchema(this.registry, { ...CONVERSION, uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
    for (const [name, schema] of Object.entries(schemas)) {
      delete schema.$schema;
      delete schema.$id;
      if (this.requestNames.has(name)) describeFields(schema);
    }
    return schemas;
  }
}

function isNamed(schema: NamedSchema | z.ZodType): schema is NamedSchema {
  return 'name' in schema && 'schema' in schema;
}

function parameters(op: OperationDoc, path: string, schemas: SchemaCollector): OpenApiParameter[] {
  const params: OpenApiParameter[] = [];
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    const doc = op.pathParams?.[name!];
    if (!doc) throw new Error(`${op.id}: path parameter {${name}} has no description`);
    params.push({ name: name!, in: 'path', required: true, description: doc.description, schema: { type: 'string' }, ...(doc.example ? { example: doc.example } : {}) });
  }
  if (op.query) {
    const query = toJson(op.query);
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties ?? {}) as Record<string, JsonSchema>)) {
      params.push({ name, in: 'query', required: required.has(name), ...(FIELD_DOCS[name] ? { description: FIELD_DOCS[name] } : {}), schema });
    }
  }
  if (op.queryObject) {
    const q = op.queryObject;
    params.push({
      name: q.name,
      in: 'query',
      description: q.description,
      style: 'form',
      explode: true,
      schema: isNamed(q.schema) ? schemas.ref(q.schema, true) : toJson(q.schema),
      ...(q.example ? { example: q.example } : {}),
    });
  }
  return params;
}

function responses(op: OperationDoc, schemas: SchemaCollector): Record<string, OpenApiResponse> {
  const out: Record<string, OpenApiResponse> = {};
  for (const [status, doc] of Object.entries(op.responses)) {
    const response: OpenApiResponse = { description: doc.description };
    if (doc.json) response.content = { 'application/json': { schema: schemas.ref(doc.json, false) } };
    else if (doc.contentTypes) response.content = Object.fromEntries(doc.contentTypes.map((type) => [type, {}]));
    if (doc.headers) response.headers = Object.fromEntries(Object.entries(doc.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]));
    out[status] = response;
  }
  const common: string[] = [];
  if (op.body || op.query || op.queryObject) common.push('400');
  if (op.access === 'basic' || op.access === 'admin') common.push('401');
  if (op.access === 'basic' && permissionOf(op)) common.push('403');
  if (op.body) common.push('413');
  if (op.access === 'basic' || op.access === 'signed') common.push('429');
  for (const status of common) {
    if (out[status]) continue;
    const { description, headers } = COMMON_ERRORS[status]!;
    out[status] = {
      description,
      content: { 'application/json': { schema: ERROR_REF } },
      ...(headers ? { headers: Object.fromEntries(Object.entries(headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
    };
  }
  return out;
}

function operation(op: OperationDoc, path: string, suffix: string, schemas: SchemaCollector): OpenApiOperation {
  const result: OpenApiOperation = {
    operationId: op.id + suffix,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: op.access === 'basic' ? [{ basicAuth: [] }] : op.access === 'admin' ? [{ adminAuth: [] }] : [],
    'x-access': op.access,
    ...(op.access === 'basic' && permissionOf(op) ? { 'x-permission': permissionOf(op) } : {}),
  };
  const params = parameters(op, path, schemas);
  if (params.length > 0) result.parameters = params;
  if (op.body) {
    const schema = schemas.ref(op.body, true);
    const content: Record<string, { schema: JsonSchema; example?: unknown }> = { 'application/json': { schema, example: op.body.example } };
    for (const type of op.body.forms ? FORM_TYPES : []) content[type] = { schema };
    result.requestBody = { required: true, content };
  }
  result.responses = responses(op, schemas);
  return result;
}

export function buildOpenApiDocument(catalogue: readonly OperationDoc[], info: DocumentInfo): OpenApiDocument {
  const schemas = new SchemaCollector();
  schemas.ref({ name: 'Error', schema: errorBody }, false);
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const shapes = new Map<string, string>();
  const ids = new Set<string>();
  for (const op of catalogue) {
    for (const { path, suffix } of expandOptionalSegment(op.path)) {
      const shape = pathShape(path);
      const existing = shapes.get(shape);
      if (existing !== undefined && existing !== path) throw new Error(`${op.id}: ${path} and ${existing} differ only in parameter names`);
      shapes.set(shape, path);
      const item = (paths[path] ??= {});
      if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${path} is listed twice`);
      if (ids.has(op.id + suffix)) throw new Error(`operation id ${op.id + suffix} is used twice`);
      ids.add(op.id + suffix);
      item[op.method] = operation(op, path, suffix, schemas);
    }
  }
  const tags = [...new Set(catalogue.map((op) => op.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    tags,
    paths,
    components: {
      schemas: schemas.schemas(),
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic', description: 'Username: your API id (public). Password: your API key (secret).' },
        adminAuth: { type: 'http', scheme: 'basic', description: 'ADMIN_USER and ADMIN_PASSWORD of the deployment.' },
      },
    },
  };
}
