import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { awsClientConfig } from './client-config.js';

const PROBE = fileURLToPath(new URL('../../testing/warning-probe.ts', import.meta.url));
const WORKSPACE = fileURLToPath(new URL('../../../../../', import.meta.url));

/** stderr of the probe process with `env` added to (or, for `undefined`, removed from) this one's environment. */
async function probe(env: Record<string, string | undefined>): Promise<string> {
  const merged = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
  const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=asof-source', PROBE], { cwd: WORKSPACE, env: merged });
  return stderr;
}

describe('awsClientConfig', () => {
  it('adds connection and idle timeouts, a local region for endpoints, and leaves AWS to its own chain', () => {
    expect(awsClientConfig({ endpoint: 'http://127.0.0.1:1' })).toMatchObject({ endpoint: 'http://127.0.0.1:1', requestHandler: { connectionTimeout: 5000, socketTimeout: 60000 } });
    expect(awsClientConfig({ endpoint: 'http://127.0.0.1:1' }).region).toBeDefined();
    expect(awsClientConfig({ connectionTimeoutMs: 100, idleTimeoutMs: 200 })).toEqual({ requestHandler: { connectionTimeout: 100, socketTimeout: 200 } });
  });

  it('silences only the AWS SDK Node-version notice: the application own warnings still print, and the notice comes back on request', async () => {
    const quiet = await probe({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined });
    expect(quiet).not.toContain('NodeVersionSupportWarning');
    expect(quiet).toContain('AsofProbeWarning: a warning of the application itself');
    if (Number(process.versions.node.split('.')[0]) < 22) {
      expect(await probe({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' })).toContain('NodeVersionSupportWarning');
    }
  }, 60_000);
});
