// Launcher for the S3-compatible test server (fauxqs), used by scripts/services/s3.sh.
//   node server.mjs <dir holding node_modules/fauxqs>
// fauxqs's own CLI listens on 0.0.0.0; this binds loopback only, and logs warnings
// and errors only (ASOF_S3_LOG_LEVEL=info logs every request).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.argv[2];
const port = Number(process.env.ASOF_S3_PORT);
const host = process.env.ASOF_S3_HOST ?? '127.0.0.1';
if (!root || !Number.isInteger(port) || port <= 0) {
  console.error('usage: ASOF_S3_PORT=N node server.mjs <fauxqs install dir>');
  process.exit(2);
}
const appUrl = pathToFileURL(path.join(root, 'node_modules/fauxqs/dist/app.js')).href;
const { buildApp } = await import(appUrl);
const app = buildApp({ logger: { level: process.env.ASOF_S3_LOG_LEVEL ?? 'warn' } });
await app.listen({ port, host });
console.log(`asof s3 server (fauxqs) listening on http://${host}:${port}`);
const stop = () => {
  app.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
