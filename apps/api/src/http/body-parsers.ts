// Accepts the three body encodings hcti's clients send (JSON, urlencoded, multipart form fields),
// all under one size limit.
import express, { type RequestHandler } from 'express';
import multer from 'multer';
import { ValidationError } from '@pixelfarm/errors';

/** Fields a form body may hold (more than any create needs, fewer than a parameter flood). */
export const FORM_MAX_FIELDS = 200;

export function bodyParsers(maxBytes: number): RequestHandler[] {
  const form = multer({ limits: { fieldSize: maxBytes, files: 0, fields: FORM_MAX_FIELDS } });
  return [
    express.json({ limit: maxBytes, strict: true }),
    // extended: nested keys such as metadata[team]=x arrive as objects.
    express.urlencoded({ limit: maxBytes, extended: true, parameterLimit: FORM_MAX_FIELDS }),
    multipartFields(form.none()),
  ];
}

/** Multer (busboy) reports malformed multipart bodies as plain errors: make them client errors. */
function multipartFields(parse: RequestHandler): RequestHandler {
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') {
        return next(new ValidationError('File uploads are not accepted: send form fields'));
      }
      if (code === 'LIMIT_FIELD_VALUE' || code === 'LIMIT_FIELD_COUNT' || code === 'LIMIT_PART_COUNT') return next(err);
      next(new ValidationError('The multipart form body is malformed'));
    });
}
