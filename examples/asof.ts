/**
 * The `asof` CLI as the workspace runs it (`pnpm asof …`): the
 * materializer's CLI with the pipeline plugged in, plus the TRS demo for
 * `asof demo`. The published binary is the same minus the demo data.
 */
import { createPipeline, runCli } from '@asof/materializer';
import { runTrsDemo } from './trs/demo.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted by SIGINT')));
const cwd = process.env.INIT_CWD ?? process.cwd();
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd,
  signal: controller.signal,
  pipeline: createPipeline({ demo: runTrsDemo }),
});
process.exitCode = code;
setTimeout(() => process.exit(code), 2000).unref();
