#!/usr/bin/env node
// The published `asof` binary: the built CLI (`pnpm build` first in a checkout; `pnpm asof` runs it from source).
await import('../dist/cli/main.js');
