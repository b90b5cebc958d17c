import { CommandUnavailableError } from '../engine/errors.js';
import type { CommandContext } from './context.js';
import type { PipelinePort } from '../engine/pipeline-port.js';

/**
 * The pipeline the `asof` binary runs with (the engine's), or `null` when
 * none is plugged in. A dynamic import keeps `asof help` and `asof apply`
 * from loading the engine and the sources' client libraries.
 */
export async function loadPipeline(): Promise<PipelinePort | null> {
  return (await import('../engine/create-pipeline.js')).createPipeline();
}

/** The context's pipeline, or a `CommandUnavailableError` (exit code 2) naming the command. */
export function requirePipeline(ctx: CommandContext): PipelinePort {
  if (!ctx.pipeline) throw new CommandUnavailableError(ctx.command, 'the materialization pipeline is not part of this build yet');
  return ctx.pipeline;
}
