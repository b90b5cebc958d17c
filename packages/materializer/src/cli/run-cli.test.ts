import { afterAll, describe, expect, it } from 'vitest';
import { cli, fakePipeline, removeTempRoots, tempRoot } from './testing/cli-harness.js';

afterAll(removeTempRoots);

describe('asof: parsing and exit codes', () => {
  it('prints help with no arguments, for help, and for <command> --help', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/usage: asof <command>/);
      for (const name of ['apply', 'materialize', 'materialize-incremental', 'schedule', 'compact', 'vacuum', 'demo', 'help']) expect(r.stdout).toContain(`  ${name}`);
    }
    const apply = await cli(['help', 'apply']);
    expect(apply.stdout).toMatch(/^usage: asof apply --root/);
    expect(apply.stdout).toContain('--allow-changes');
    expect((await cli(['compact', '--help'])).stdout).toMatch(/--target-file-mb <n>/);
  });

  it('rejects an unknown command with a suggestion, in one line, exit 2', async () => {
    const r = await cli(['aply']);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(["asof: unknown command 'aply' (did you mean 'apply'?); run 'asof help' (INVALID_INPUT)"]);
  });

  it("rejects an unknown flag in one line with the command's usage, exit 2", async () => {
    const r = await cli(['compact', '--root', '/tmp/x', '--taget-file-mb', '3']);
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toBe(
      "asof: compact failed: unknown option '--taget-file-mb' (did you mean '--target-file-mb'?); " +
        'usage: asof compact --root <dir|s3://…> [--view <name>]... [--target-file-mb <n>] [--keep-full <duration> [--keep-coarse <duration>]] (INVALID_INPUT)',
    );
  });

  it.each([
    [['compact', '--root'], /Option '--root <value>' argument missing/],
    [['compact', '--root', '/tmp/x', 'extra'], /unexpected argument 'extra'/],
    [['compact', '--root', '/tmp/x', '--target-file-mb', 'big'], /--target-file-mb must be a positive number/],
    [['compact'], /missing --root <dir\|s3:\/\/bucket\/prefix> \(or set ASOF_ROOT\)/],
    [['vacuum', '--root', '/tmp/x'], /missing --grace/],
    [['vacuum', '--root', '/tmp/x', '--grace', 'a week'], /--grace "a week" is not a duration/],
    [['materialize', '--root', '/tmp/x', '--start', '2024-01-01T00:00:00', '--end', '2024-02-01T00:00:00Z'], /--start: invalid timestamp .*offset/],
    [['materialize', '--root', '/tmp/x', '--start', '2024-02-01T00:00:00Z', '--end', '2024-01-01T00:00:00Z'], /--start must be before --end/],
    [['schedule', '--root', '/tmp/x', '--cron', '61 * * * *'], /invalid cron expression "61 \* \* \* \*"/],
    [['schedule', '--root', '/tmp/x', '--cron', '* * * * *', '--incremental', '--lookback', '2d'], /--lookback applies only without --incremental/],
    [['apply', '--root', '/tmp/x', '--log-format', 'xml'], /--log-format must be json or pretty/],
  ])('%j is a usage error (exit 2, one line)', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(/^asof: \S+ failed: /);
    expect(r.errLines[0]).toMatch(message);
    expect(r.errLines[0]).toMatch(/; usage: asof .* \(INVALID_INPUT\)$/);
  });

  it('takes the root from ASOF_ROOT', async () => {
    const root = await tempRoot();
    const r = await cli(['apply', '--definitions', 'definitions-v1.ts'], { env: { ASOF_ROOT: root } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`registry written: ${root}/registry.json`);
  });

  it('says a pipeline command is not available yet (exit 2) while no pipeline is plugged in', async () => {
    const root = await tempRoot();
    for (const argv of [
      ['materialize', '--start', '2024-01-01T00:00:00Z', '--end', '2024-02-01T00:00:00Z'],
      ['materialize-incremental'],
      ['schedule', '--cron', '0 * * * *'],
      ['demo'],
    ]) {
      const r = await cli([...argv, '--root', root]);
      expect(r.code).toBe(2);
      expect(r.errLines).toEqual([`asof: ${argv[0]} failed: '${argv[0]}' is not available yet: the materialization pipeline is not part of this build yet (CONFIG)`]);
    }
  });

  it('fails with one line and the error code (exit 1); --verbose adds the stack', async () => {
    const root = await tempRoot();
    const broken = await cli(['apply', '--root', root, '--definitions', 'broken-definitions.ts']);
    expect(broken.code).toBe(1);
    expect(broken.errLines).toHaveLength(1);
    expect(broken.errLines[0]).toMatch(/^asof: apply failed: .*bad view!.* \(INVALID_DEFINITION\)$/);
    const missing = await cli(['apply', '--root', root, '--definitions', 'nope.ts']);
    expect(missing.errLines).toHaveLength(1);
    expect(missing.errLines[0]).toMatch(/^asof: apply failed: definitions module \S+fixtures\/nope\.ts does not exist \(CONFIG\)$/);
    const verbose = await cli(['apply', '--root', root, '--definitions', 'broken-definitions.ts', '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\(INVALID_DEFINITION\)\n.*DefinitionError/s);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('needs --definitions for apply', async () => {
    const r = await cli(['apply', '--root', await tempRoot()]);
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual(['asof: apply failed: apply needs --definitions <module> (CONFIG)']);
  });

  it('exits 130 when interrupted, with one line', async () => {
    const root = await tempRoot();
    expect((await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'])).code).toBe(0);
    const controller = new AbortController();
    const pipeline = fakePipeline(async (_view, hooks) => {
      setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 20); // Ctrl-C mid-run
      await new Promise((resolve) => hooks.signal.addEventListener('abort', resolve, { once: true }));
      throw hooks.signal.reason;
    });
    const r = await cli(['materialize-incremental', '--root', root], { pipeline, signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.errLines.at(-1)).toBe('asof: materialize-incremental interrupted (ABORTED)');
  });
});

describe('asof: logs and progress', () => {
  it('writes JSON lines to stderr when it is not a terminal, pretty lines with --log-format pretty', async () => {
    const root = await tempRoot();
    const pipeline = fakePipeline(async (view, hooks) => {
      for (let done = 0; done <= 100; done += 25) hooks.progress(view, done, 100, 'rows');
      hooks.logger.child({ view }).info('extracted', { rows: 100n });
      return {};
    });
    await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts']);
    const json = await cli(['materialize-incremental', '--root', root], { pipeline, progressIntervalMs: 0 });
    expect(json.code).toBe(0);
    const records = json.errLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const r of records) {
      expect(r).toMatchObject({ level: expect.stringMatching(/^(debug|info|warn|error)$/), msg: expect.any(String), command: 'materialize-incremental' });
      expect(Date.parse(r.ts as string)).not.toBeNaN();
    }
    expect(records).toContainEqual(expect.objectContaining({ msg: 'extracted', view: 'spend', rows: '100' }));
    expect(records.filter((r) => r.msg === 'progress').length).toBeGreaterThan(0);
    expect(records).toContainEqual(expect.objectContaining({ msg: 'progress', task: 'spend', done: 100, total: 100, unit: 'rows', percent: 100 }));

    const pretty = await cli(['materialize-incremental', '--root', root, '--log-format', 'pretty'], { pipeline });
    expect(pretty.errLines.some((l) => /^\d\d:\d\d:\d\d\.\d{3} INFO  extracted command=materialize-incremental view=spend rows=100$/.test(l))).toBe(true);
  });

  it('rate-limits progress records without a terminal', async () => {
    const root = await tempRoot();
    await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts']);
    const pipeline = fakePipeline(async (view, hooks) => {
      for (let done = 0; done < 1000; done++) hooks.progress(view, done, 1000, 'rows');
      return {};
    });
    const r = await cli(['materialize-incremental', '--root', root], { pipeline }); // default: one record per 5 s at most
    expect(r.errLines.filter((l) => l.includes('"msg":"progress"'))).toHaveLength(0);
  });

  it('draws bars and pretty logs on a terminal', async () => {
    const root = await tempRoot();
    await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts']);
    const pipeline = fakePipeline(async (view, hooks) => {
      hooks.progress(view, 50, 100, 'rows');
      await new Promise((resolve) => setTimeout(resolve, 150));
      hooks.progress(view, 100, 100, 'rows');
      return {};
    });
    const r = await cli(['materialize-incremental', '--root', root], { pipeline, tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/spend\s+\S*\s+100% \| 100\/100 rows/);
    expect(r.stderr).toMatch(/INFO  view done/);
    expect(r.stdout).toMatch(/view\s+│ status/);
  });
});
