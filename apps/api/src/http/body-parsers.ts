// Accepts the three body encodings API.md allows (JSON, urlencoded, multipart form fields),
// all under one size limit.
import express, { type RequestHandler } from 'express';
import multer from 'multer';

export function bodyParsers(maxBytes: number): RequestHandler[] {
  const form = multer({ limits: { fieldSize: maxBytes, files: 0, fields: 200 } });
  return [
    express.json({ limit: maxBytes, strict: true }),
    // extended: nested keys such as metadata[team]=x arrive as objects.
    express.urlencoded({ limit: maxBytes, extended: true, parameterLimit: 200 }),
    form.none(),
  ];
}
