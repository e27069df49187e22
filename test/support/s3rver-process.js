// Runs s3rver in a child process started with `--openssl-legacy-provider` (see s3-server.ts:
// s3rver mints ListObjectsV2 continuation tokens with DES, which OpenSSL 3's default provider,
// and so Node 20, refuses). Options arrive as JSON in argv[2]; the bound port is sent to the
// parent over IPC. The server stops when the parent asks, or when the parent goes away.
'use strict';
const S3rver = require('s3rver');

const options = JSON.parse(process.argv[2]);
const server = new S3rver({ ...options, address: '127.0.0.1', silent: true });
let stopping;
const stop = () => {
  stopping ??= server.close().finally(() => process.exit(0));
  return stopping;
};
process.on('message', (message) => {
  if (message === 'stop') void stop();
});
process.on('disconnect', () => void stop());
server.run().then(
  ({ port }) => process.send({ port }),
  (err) => {
    process.send({ error: err.message });
    process.exit(1);
  },
);
