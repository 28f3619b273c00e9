// startRun: runs a user's training script in a worker thread and streams its events.
//
// The main thread bundles the script (esbuild-wasm) while the worker loads the engine, sends the
// bundle's path, relays the worker's event batches and console output, and owns every ending:
// stop(), the timeout and the worker's death (out of memory, crash) end the run by terminating the
// worker; the worker itself reports completion, errors and max steps. `done` always resolves,
// after `runEnded`, which is always the last event.
//
// Working directory: worker threads cannot chdir, so `options.cwd` only resolves a relative
// `script` path; paths the script opens relative to process.cwd() resolve against the host's
// working directory. (import.meta.url, __dirname and __filename do name the script's own file.)

import { Worker } from 'node:worker_threads';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunError, RunEvent, RunStatus } from '../instrument/events';
import { EVENT_VERSION } from '../instrument/events';
import type { EventSink, RunHandle, RunOptions, RunResult } from './types';
import { outOfMemoryMessage, type FromWorker, type ToWorker, type WorkerInit } from './protocol';
import { bundleScript, warmBundler } from './bundle';
import { endMessage, runErrorOf } from './errors';
import { unpackEvents } from './step-codec';

let workerOverride: string | null = null;

/** Uses another worker bundle than the one next to this module (or in out/ when run from source). */
export function setWorkerScript(path: string | null): void {
  workerOverride = path;
}

/** The worker bundle: next to this file once bundled (out/runner.mjs), else the repo's out/. */
export function workerScript(): string {
  if (workerOverride !== null) return workerOverride;
  const sibling = fileURLToPath(new URL('./worker.mjs', import.meta.url));
  if (existsSync(sibling)) return sibling;
  return fileURLToPath(new URL('../../out/worker.mjs', import.meta.url));
}

let knownExports: string[] | null = null;

// After the worker is gone, its last console output may still be in flight.
const STDIO_GRACE_MS = 1000;

export function startRun(script: string, options: RunOptions, onEvents: EventSink): RunHandle {
  const t0 = performance.now();
  const scriptPath = resolve(options.cwd ?? process.cwd(), script);
  const level = options.level ?? 'default';

  let worker: Worker | null = null;
  let tmp: string | null = null;
  let steps = 0;
  let ended = false;
  let sinkFailed = false;
  let finished = false;
  let resolveDone!: (r: RunResult) => void;
  const done = new Promise<RunResult>((r) => { resolveDone = r; });
  let timeout: ReturnType<typeof setTimeout> | null = null;

  const deliver = (batch: RunEvent[]): void => {
    if (batch.length === 0 || sinkFailed) return;
    try {
      onEvents(batch);
    } catch (e) {
      // A failing consumer must not take the run (or the host) down; it just stops receiving.
      sinkFailed = true;
      process.emitWarning(`gradscope: the event sink threw and receives no further events: ${runErrorOf(e).message}`);
    }
  };

  // Console output, forwarded line by line (a partial line waits for its end or the run's end).
  const pendingText = { stdout: '', stderr: '' };
  const onText = (stream: 'stdout' | 'stderr', chunk: unknown): void => {
    if (finished) return;
    const text = pendingText[stream] + String(chunk);
    const cut = text.lastIndexOf('\n') + 1;
    pendingText[stream] = text.slice(cut);
    if (cut > 0) deliver([{ type: 'log', stream, text: text.slice(0, cut) }]);
  };
  const flushText = (): void => {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (pendingText[stream] !== '') deliver([{ type: 'log', stream, text: pendingText[stream] }]);
      pendingText[stream] = '';
    }
  };

  /** Ends the run once: terminates the worker, waits for its output, emits runEnded. */
  const finish = async (status: RunStatus, error?: RunError): Promise<void> => {
    if (ended) return;
    ended = true;
    if (timeout !== null) clearTimeout(timeout);
    const w = worker;
    if (w !== null) {
      const streamsEnded = Promise.all([w.stdout, w.stderr].map((s) => new Promise<void>((r) => {
        if (s.readableEnded) r();
        else { s.once('end', () => r()); s.once('error', () => r()); }
      })));
      // No user code runs once terminate() is called, but the thread's teardown can wait seconds
      // behind background compilation in V8's shared thread pool (esbuild's WebAssembly tiering up
      // after the first build in this process): the run's end waits for it only as long as for output.
      const terminated = w.terminate().catch(() => undefined);
      await Promise.race([Promise.all([terminated, streamsEnded]), new Promise((r) => setTimeout(r, STDIO_GRACE_MS).unref())]);
    }
    flushText();
    await started;
    finished = true;
    if (tmp !== null) {
      try { rmSync(tmp, { recursive: true, force: true }); } catch { /* a temp folder left behind is harmless */ }
    }
    const durationMs = performance.now() - t0;
    deliver([{ type: 'runEnded', status, steps, durationMs, ...(error !== undefined ? { error } : {}) }]);
    resolveDone({ status, steps, durationMs, ...(error !== undefined ? { error } : {}) });
  };

  // runStarted goes out once the caller holds the handle, and always before runEnded.
  const started = Promise.resolve().then(() => {
    deliver([{ type: 'runStarted', version: EVENT_VERSION, script: scriptPath, level, startedAt: Date.now() }]);
  });

  const stop = (): void => { void finish('stopped', endMessage('Stopped by the user')); };

  const onMessage = (m: FromWorker, bundle: Promise<string | null>): void => {
    if (ended) return;
    switch (m.kind) {
      case 'ready':
        void bundle.then((path) => {
          if (path !== null && !ended) worker!.postMessage({ kind: 'run', bundle: path } satisfies ToWorker);
        });
        break;
      case 'events':
        steps = Math.max(steps, m.steps);
        deliver(unpackEvents(m.events));
        break;
      case 'end':
        steps = Math.max(steps, m.steps);
        void finish(m.status, m.error);
        break;
    }
  };

  const launch = async (): Promise<void> => {
    await started;
    if (ended) return;
    if (!existsSync(scriptPath) || !statSync(scriptPath).isFile()) {
      return finish('failed', endMessage(`Script not found: ${scriptPath}`));
    }
    const workerFile = workerScript();
    if (!existsSync(workerFile)) {
      return finish('failed', endMessage(`The runner's worker bundle is missing (${workerFile}); run \`npm run build\` first`));
    }
    if (options.timeoutMs !== undefined) {
      timeout = setTimeout(() => { void finish('timeout', endMessage(`Timed out after ${formatMs(options.timeoutMs!)}`)); }, options.timeoutMs);
    }
    warmBundler();
    tmp = mkdtempSync(join(tmpdir(), 'gradscope-run-'));
    const bundleFile = join(tmp, 'script.mjs');

    const init: WorkerInit = {
      script: scriptPath,
      args: options.args ?? [],
      level,
      ...(options.histogramEvery !== undefined ? { histogramEvery: options.histogramEvery } : {}),
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      ...(options.memoryLimitMb !== undefined ? { memoryLimitMb: options.memoryLimitMb } : {}),
      ...(options.detectors !== undefined ? { detectors: options.detectors } : {}),
    };
    const w = new Worker(workerFile, {
      workerData: init,
      stdout: true,
      stderr: true,
      execArgv: [],
      ...(options.memoryLimitMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.memoryLimitMb } } : {}),
    });
    worker = w;
    w.stdout.on('data', (c) => onText('stdout', c));
    w.stderr.on('data', (c) => onText('stderr', c));

    // The engine's export names come from the worker; later runs reuse them and bundle at once,
    // while their worker starts.
    let exportNames: (names: string[]) => void = () => {};
    const names = knownExports !== null ? Promise.resolve(knownExports) : new Promise<string[]>((r) => { exportNames = r; });
    const bundle = names.then(async (exports) => {
      const b = await bundleScript(scriptPath, exports);
      if (ended) return null;
      if (!b.ok) {
        void finish('failed', b.error);
        return null;
      }
      writeFileSync(bundleFile, b.code);
      return bundleFile;
    });
    w.on('message', (m: FromWorker) => {
      if (m.kind === 'ready') {
        knownExports = m.exports;
        exportNames(m.exports);
      }
      onMessage(m, bundle);
    });
    w.on('error', (e) => {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
        void finish('failed', endMessage(outOfMemoryMessage(options.memoryLimitMb)));
      } else {
        void finish('failed', runErrorOf(e));
      }
    });
    w.on('exit', (code) => {
      // Normally the worker reports its end first; exiting silently means something killed it.
      void finish(code === 0 ? 'completed' : 'failed', code === 0 ? undefined : endMessage(`The worker exited with code ${code}`));
    });
  };

  launch().catch((e) => finish('failed', runErrorOf(e)));
  return { done, stop };
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(3)} s` : `${ms} ms`;
}
