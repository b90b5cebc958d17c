import type { Command } from '../command.js';
import { requirePipeline } from '../pipeline-binding.js';
import { reportRuns, runHooks } from '../run-summary.js';

/** `asof demo --root <dir>`: generates the TRS example at a small scale and materializes it there with embedded defaults. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate the TRS example and materialize it into --root with embedded defaults',
  usage: 'asof demo --root <dir>',
  options: {},
  needsRoot: true,
  async run(ctx) {
    const pipeline = requirePipeline(ctx);
    const store = await ctx.store();
    ctx.logger.info('demo', { root: store.describe() });
    // The demo applies its own registry, so it also creates the DynamoDB table `asof apply` would.
    const online = async () => {
      const opened = await ctx.online();
      await opened?.provision?.({ signal: ctx.signal });
      return opened;
    };
    reportRuns(ctx, await pipeline.demo({ root: ctx.root, store, objects: store.objects, print: (text) => ctx.print(text), online }, runHooks(ctx)));
  },
};
