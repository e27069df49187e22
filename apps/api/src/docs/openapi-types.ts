// The parts of an OpenAPI 3.1 document this service produces (and the docs page reads).

/** A JSON Schema 2020-12 object, as z.toJSONSchema produces it. */
export type JsonSchema = Record<string, unknown> & { description?: string; properties?: Record<string, JsonSchema>; $ref?: string };

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  description?: string;
  style?: 'form';
  explode?: boolean;
  schema: JsonSchema;
  example?: unknown;
}

export interface OpenApiMediaType {
  schema?: JsonSchema;
  example?: unknown;
}

export interface OpenApiResponse {
  description: string;
  content?: Record<string, OpenApiMediaType>;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Array<Record<string, string[]>>;
  /** Who may call it (basic, public, signed, admin): the docs page shows it. */
  'x-access': string;
  /** The permission an API key needs for it (route-permissions.ts), on Basic operations. */
  'x-permission'?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, OpenApiMediaType> };
  responses?: Record<string, OpenApiResponse>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'basic'; description: string }>;
  };
}
