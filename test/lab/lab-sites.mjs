// The hosts of the sealed network lab, run inside its "internet" namespace (ip netns exec):
// one public site and some private ones, each on port 80 of its own address. Every request any
// of them receives is recorded; the test reads the record through a control socket (a socket
// file, which the test reaches from outside the namespace). Plain Node, no build step.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const { publicAddress, privateAddresses, control, files } = JSON.parse(process.argv[2]);
const hits = {}; // address -> ["GET /path", ...]
const callbacks = [];

function record(address, req) {
  (hits[address] ??= []).push(`${req.method} ${req.url}`);
}

const TYPES = { '.png': 'image/png', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html', '.js': 'text/javascript' };

function publicSite(req, res) {
  const url = new URL(req.url, `http://${publicAddress}`);
  if (url.pathname === '/redirect') {
    res.writeHead(302, { Location: url.searchParams.get('to') }).end();
  } else if (url.pathname === '/css2') {
    // What a fonts CSS API answers: @font-face rules whose files live on the same public host.
    const family = url.searchParams.get('family')?.split(':')[0] ?? 'Lab Font';
    res.writeHead(200, { 'Content-Type': 'text/css', 'Access-Control-Allow-Origin': '*' });
    res.end(`@font-face{font-family:'${family}';font-weight:400;src:url(http://${req.headers.host}/files/font.ttf) format('truetype')}`);
  } else if (url.pathname === '/callback' && req.method === 'POST') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      callbacks.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  } else if (url.pathname.startsWith('/files/')) {
    const file = path.join(files, path.basename(url.pathname));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
    res.end(fs.readFileSync(file));
  } else res.writeHead(404).end();
}

// A private site answers like a real one (a red page, so a leak would show) and records the request.
function privateSite(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/html', 'Access-Control-Allow-Origin': '*' });
  res.end('<body style="margin:0;background:#f00">private</body>');
}

const servers = [];
for (const address of [publicAddress, ...privateAddresses]) {
  const server = http.createServer((req, res) => {
    record(address, req);
    (address === publicAddress ? publicSite : privateSite)(req, res);
  });
  // WebSocket upgrades count as requests too; nothing is served over them.
  server.on('upgrade', (req, socket) => {
    record(address, req);
    socket.destroy();
  });
  servers.push(new Promise((resolve, reject) => server.once('error', reject).listen(80, address, resolve)));
}

const controlServer = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  if (req.url === '/reset') {
    for (const k of Object.keys(hits)) delete hits[k];
    callbacks.length = 0;
  }
  res.end(JSON.stringify({ hits, callbacks }));
});
fs.rmSync(control, { force: true });
servers.push(new Promise((resolve, reject) => controlServer.once('error', reject).listen(control, resolve)));
Promise.all(servers).then(
  () => process.stdout.write('ready\n'),
  (err) => {
    process.stderr.write(`lab sites failed to start: ${err.message}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => process.exit(0));
