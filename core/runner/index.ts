export { startRun, setWorkerScript, workerScript } from './run';
/** Starts esbuild-wasm ahead of the first run (e.g. when the extension activates); where its .wasm is. */
export { warmBundler, setEsbuildWasmPath } from './bundle';
export type { RunOptions, RunResult, RunHandle, EventSink } from './types';
