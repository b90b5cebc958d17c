/**
 * What a command does with a backend follows what the backend says it can
 * do (optional methods), not its class: DynamoDB's `checkView` refuses a
 * view whose online rows could pass its 400 KB item before anything is
 * written; LMDB has no such limit, and the same definitions apply there.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../../../test/helpers/services.js';
import { cli, removeTempRoots, tempRoot } from './testing/cli-harness.js';

afterAll(removeTempRoots);

let endpoint: string;
beforeAll(() => {
  endpoint = ensureServices('dynamodb-local').ASOF_DYNAMODB_ENDPOINT!;
});

describe('asof apply asks the online store what fits', () => {
  it('DynamoDB: a view whose item can pass 400 KB is refused from the definitions, nothing applied; LMDB takes it', async () => {
    const root = await tempRoot();
    const table = `asof-wide-${randomBytes(4).toString('hex')}`;
    const refused = await cli(['apply', '--root', root, '--definitions', 'definitions-wide-online.ts', '--online', `dynamodb://${table}`, '--dynamodb-endpoint', endpoint]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.errLines.filter((l) => !l.startsWith('{'))).toEqual([
      expect.stringMatching(
        new RegExp(`^asof: apply failed: online items would not fit dynamodb://${table}: view 'wide': an online item can reach [\\d,]+ bytes, over DynamoDB's 409,600-byte limit; .* split the view or set online: false \\(INVALID_DEFINITION\\)$`),
      ),
    ]);
    expect(existsSync(path.join(root, 'registry.json'))).toBe(false);

    const embedded = await cli(['apply', '--root', root, '--definitions', 'definitions-wide-online.ts']);
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(embedded.stdout).toContain('registry written');
  });
});
