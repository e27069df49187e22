// A front door that checks AWS Signature Version 4 before a request reaches s3rver, which
// does not check v4 signatures at all (lib/middleware/authentication.js: "Signature version 4
// calculation is unimplemented"), so that a wrong secret access key is refused as S3 refuses
// it. The signature is computed again with the SDK's own signer (@smithy/signature-v4) from the
// headers the request says it signed, and compared; a match is passed on to s3rver unchanged.
// Run as a process of its own (signed-s3-server.ts): options as JSON in argv[2], the bound port
// sent to the parent over IPC; it stops when the parent asks or goes away. Every request is
// reported to the parent ({method, path, status}), and `deny` lists methods answered with 403
// AccessDenied (credentials that may write but not delete, say).
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');
const { SignatureV4 } = require('@smithy/signature-v4');

class Sha256 {
  constructor(secret) {
    this.hash = secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256');
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function s3Error(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** Whether the request's v4 signature is the one `credentials` make; null when it carries none. */
async function signatureMatches(req, credentials) {
  const match = AUTH.exec(req.headers.authorization ?? '');
  if (!match) return null;
  const [, accessKeyId, , region, service, signedHeaders, signature] = match;
  // Another key id is s3rver's to judge (InvalidAccessKeyId for one it does not know).
  if (accessKeyId !== credentials.accessKeyId) return null;
  const url = new URL(req.url, 'http://gate');
  const query = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [].concat(query[k], v) : v;
  const headers = {};
  for (const name of signedHeaders.split(';')) headers[name] = req.headers[name];
  const amzDate = req.headers['x-amz-date'];
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: false });
  const signed = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: url.hostname, path: url.pathname, query, headers },
    { signingDate, signableHeaders: new Set(signedHeaders.split(';')) },
  );
  return AUTH.exec(signed.headers.authorization)?.[6] === signature;
}

/** Listens on 127.0.0.1:port and passes requests whose signature matches on to 127.0.0.1:upstreamPort. */
function startSigV4Gate({ port, upstreamPort, credentials, deny = [], onRequest = () => {} }) {
  const server = http.createServer(async (req, res) => {
    res.on('finish', () => onRequest({ method: req.method, path: new URL(req.url, 'http://gate').pathname, status: res.statusCode }));
    let ok;
    try {
      ok = await signatureMatches(req, credentials);
    } catch (err) {
      return s3Error(res, 400, 'AuthorizationHeaderMalformed', String(err.message));
    }
    if (ok === false) {
      req.resume();
      return s3Error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    if (deny.includes(req.method)) {
      req.resume();
      return s3Error(res, 403, 'AccessDenied', 'Access Denied');
    }
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

module.exports = { startSigV4Gate };

if (require.main === module) {
  startSigV4Gate({ port: 0, ...JSON.parse(process.argv[2]), onRequest: (r) => process.send({ request: r }) }).then(
    (server) => {
      const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
      };
      process.on('message', (message) => message === 'stop' && stop());
      process.on('disconnect', stop);
      process.send({ port: server.address().port });
    },
    (err) => {
      process.send({ error: err.message });
      process.exit(1);
    },
  );
}
