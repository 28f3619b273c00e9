export { startRun, setWorkerScript, workerScript } from './run';
export type { RunOptions, RunResult, RunHandle, EventSink } from './types';
