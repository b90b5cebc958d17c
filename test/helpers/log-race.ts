/**
 * Forces writers into the same optimistic-concurrency race: for every
 * commit log (`…/_log/`), the first listing by each of `parties` writers is
 * held until all of them have listed it, so they all plan against the same
 * version of every view and mirror and then race to commit the next one.
 * Each writer must list each log it touches at least once (a materializer
 * run does), or the others wait for it.
 */
import type { IoOptions, ObjectInfo, ObjectStore } from '@asof/core';

/** Gates the first listing of every commit log until `parties` writers have listed it. */
export class EveryLogBarrier {
  private readonly gates = new Map<string, { arrived: number; open: Promise<void>; release: () => void }>();

  constructor(private readonly parties: number) {}

  /** `inner` with its log listings gated. */
  wrap(inner: ObjectStore): ObjectStore {
    const gate = (prefix: string) => this.gate(prefix);
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== 'list') return Reflect.get(target, prop, receiver) as unknown;
        return async function* list(prefix: string, options?: IoOptions): AsyncIterable<ObjectInfo> {
          if (/\/_log\/$/.test(prefix)) await gate(prefix);
          yield* target.list(prefix, options);
        };
      },
    });
  }

  private gate(prefix: string): Promise<void> {
    let gate = this.gates.get(prefix);
    if (!gate) {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      this.gates.set(prefix, (gate = { arrived: 0, open, release }));
    }
    if (gate.arrived >= this.parties) return Promise.resolve();
    if (++gate.arrived === this.parties) gate.release();
    return gate.open;
  }
}
