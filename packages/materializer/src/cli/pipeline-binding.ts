import { CommandUnavailableError } from './cli-errors.js';
import type { CommandContext } from './context.js';
import type { PipelinePort } from './pipeline-port.js';

/**
 * The pipeline the `asof` binary runs with, or `null` while none is
 * plugged in. To plug one in, return it here, e.g.
 * `return (await import('../pipeline/index.js')).pipelinePort;`
 * (a dynamic import keeps `asof help` and `asof apply` from loading the
 * sources' client libraries).
 */
export async function loadPipeline(): Promise<PipelinePort | null> {
  return (await import('../pipeline/port.js')).createPipeline();
}

/** The context's pipeline, or a `CommandUnavailableError` (exit code 2) naming the command. */
export function requirePipeline(ctx: CommandContext): PipelinePort {
  if (!ctx.pipeline) throw new CommandUnavailableError(ctx.command, 'the materialization pipeline is not part of this build yet');
  return ctx.pipeline;
}
