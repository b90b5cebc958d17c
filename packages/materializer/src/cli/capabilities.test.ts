/**
 * What a command does with a backend follows what the backend says it can
 * do (optional methods), not its class: `asof apply` asks each online store
 * for its item limits (`itemLimits()`) and refuses a view one of whose
 * online rows could pass them before anything is written. The embedded
 * store keeps DynamoDB's 400 KB limit, so a root behaves alike on both.
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
  it('a view whose item can pass 400 KB is refused from the definitions, nothing applied, on DynamoDB and on LMDB alike', async () => {
    const root = await tempRoot();
    const table = `asof-wide-${randomBytes(4).toString('hex')}`;
    const refused = await cli(['apply', '--root', root, '--definitions', 'definitions-wide-online.ts', '--online', `dynamodb://${table}`, '--dynamodb-endpoint', endpoint]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.errLines.filter((l) => !l.startsWith('{'))).toEqual([
      expect.stringMatching(
        new RegExp(`^asof: apply failed: online items would exceed DynamoDB's 409,600-byte item limit: view 'wide': an online item can reach [\\d,]+ bytes, over DynamoDB's 409,600-byte limit; .* and \\d+ more \\(declare bounds to make the check exact\\); split the view or set online: false \\(INVALID_DEFINITION\\)$`),
      ),
    ]);
    expect(existsSync(path.join(root, 'registry.json'))).toBe(false);

    const embedded = await cli(['apply', '--root', root, '--definitions', 'definitions-wide-online.ts']);
    expect(embedded.code).toBe(1);
    expect(embedded.errLines.filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(/^asof: apply failed: online items would exceed the embedded store's 409,600-byte item limit .*view 'wide'.*\(INVALID_DEFINITION\)$/)]);
    expect(existsSync(path.join(root, 'registry.json'))).toBe(false);
  });
});
