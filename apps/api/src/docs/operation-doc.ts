// The description of one HTTP operation, as each route object carries it and the OpenAPI builder
// reads it. Request shapes are the validators' own zod schemas, never a copy of their fields.
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call an operation: `basic` needs an API id and key (HTTP Basic), `public` nothing,
 * `signed` an HMAC token in the path, `admin` the dashboard credentials.
 */
export type Access = 'basic' | 'public' | 'signed' | 'admin';

export interface PathParamDoc {
  description: string;
  /** Used in the docs' curl example. */
  example?: string;
}

/** A request or response body: a zod schema published under `name` in components.schemas. */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

export interface ResponseDoc {
  description: string;
  /** JSON body; omit for bodies that are not JSON (list contentTypes instead) or empty ones. */
  json?: NamedSchema;
  /** Media types of a non-JSON body, e.g. image/png or text/html. */
  contentTypes?: string[];
  headers?: Record<string, string>;
}

export interface OperationDoc {
  /** Unique, camelCase; an expanded optional segment appends "With<Name>". */
  id: string;
  method: HttpMethod;
  /**
   * OpenAPI path template. A trailing `[/{name}]` marks an optional segment (Express 5's `{/:name}`),
   * documented as two paths because OpenAPI path parameters are always required.
   */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  pathParams?: Record<string, PathParamDoc>;
  /** A zod object whose properties are query parameters (e.g. the validator of the query). */
  query?: z.ZodObject;
  /** One object-valued query parameter, sent exploded (`?html=…&css=…`), for free-form queries. */
  queryObject?: { name: string; description: string; schema: NamedSchema | z.ZodType; example?: Record<string, string> };
  body?: NamedSchema & {
    /** JSON only, or also the form encodings (urlencoded, multipart) the create routes accept. */
    forms?: boolean;
    example: Record<string, unknown>;
  };
  /** Success and operation-specific error responses; the builder adds the common errors. */
  responses: Record<number, ResponseDoc>;
}
