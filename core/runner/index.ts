export { startRun, setWorkerScript, workerScript } from './run';
/** Starts esbuild-wasm's service ahead of the first run (e.g. when the extension activates). */
export { warmBundler } from './bundle';
export type { RunOptions, RunResult, RunHandle, EventSink } from './types';
