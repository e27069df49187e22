import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { expressPath, mountRoutes, type Route } from './route';

describe('expressPath', () => {
  it('turns documented paths into Express 5 paths', () => {
    expect(expressPath('/v1/image/{id}')).toBe('/v1/image/:id');
    expect(expressPath('/v1/image/create-and-render/{api_id}/{token}[/{format}]')).toBe('/v1/image/create-and-render/:api_id/:token{/:format}');
    expect(expressPath('/healthz')).toBe('/healthz');
  });
});

describe('mountRoutes', () => {
  const seen: string[] = [];
  const auth: RequestHandler = (req, res, next) => {
    seen.push('auth');
    if (req.headers.authorization !== 'ok') return void res.status(401).json({ message: 'no' });
    next();
  };
  const parsers: RequestHandler[] = [
    (_req, _res, next) => {
      seen.push('parse');
      next();
    },
  ];
  const route = (r: Partial<Route> & Pick<Route, 'id' | 'method' | 'path' | 'access' | 'handler'>): Route => ({ tag: 't', summary: 's', responses: {}, ...r });
  const app = express().use(
    mountRoutes(
      [
        route({ id: 'open', method: 'get', path: '/open/{name}', access: 'public', handler: (req, res) => void res.json({ name: req.params.name }) }),
        route({ id: 'closed', method: 'post', path: '/closed', access: 'basic', body: { name: 'B', schema: undefined as never, example: {} }, handler: (_req, res) => void res.json({}) }),
        route({
          id: 'guarded',
          method: 'get',
          path: '/guarded[/{x}]',
          access: 'public',
          before: [(req, _res, next) => next(req.params.x === 'skip' ? 'route' : undefined)],
          handler: (req, res) => void res.json({ x: req.params.x ?? null }),
        }),
        route({ id: 'fallback', method: 'get', path: '/guarded/{x}', access: 'public', handler: (_req, res) => void res.json({ fallback: true }) }),
        route({ id: 'sub', method: 'get', path: '/sub', access: 'admin', mount: true, handler: express.Router().get('/deep', (_req, res) => void res.json({ deep: true })) }),
      ],
      { auth, bodyParsers: parsers, guard: () => [] },
    ),
  );

  it('enforces access and parses bodies from the same fields the docs are made of', async () => {
    seen.length = 0;
    expect((await request(app).get('/open/a')).body).toEqual({ name: 'a' });
    expect(seen).toEqual([]);
    expect((await request(app).post('/closed')).status).toBe(401);
    expect((await request(app).post('/closed').set('Authorization', 'ok')).status).toBe(200);
    expect(seen).toEqual(['auth', 'auth', 'parse']);
  });

  it('runs `before` first, passes a path on with next("route"), and mounts sub-applications', async () => {
    expect((await request(app).get('/guarded')).body).toEqual({ x: null });
    expect((await request(app).get('/guarded/y')).body).toEqual({ x: 'y' });
    expect((await request(app).get('/guarded/skip')).body).toEqual({ fallback: true });
    expect((await request(app).get('/sub/deep')).body).toEqual({ deep: true });
  });
});
