// Where the compiled code lives: bench/ is compiled to dist/bench/, the agent to dist/main/.
import path from 'node:path';

/** dist/ (this file is dist/bench/lib/paths.js once built). */
export const distRoot = path.resolve(import.meta.dirname, '..', '..');
/** The repository root (bench/results is written there, not under dist/). */
export const repoRoot = path.resolve(distRoot, '..');
