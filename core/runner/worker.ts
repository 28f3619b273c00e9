// The worker side of a run (bundled with the engine into out/worker.mjs). It publishes the engine
// for the bundle's virtual 'gradscope' module, starts a Recorder before the user's code loads,
// streams events in batches, and reports how the script ended. After reporting anything but a
// natural completion it blocks until the main thread terminates it, so no user code runs after
// the end (nothing is thrown into the user's code, which could catch it).

import { parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { getHeapStatistics } from 'node:v8';
import * as gradscope from '../index';
import { Recorder } from '../instrument/recorder';
import { addObserver } from '../autograd/hooks';
import { setEngineFileTest } from '../instrument/callsite';
import type { RunError, RunEvent } from '../instrument/events';
import { ENGINE_GLOBAL, outOfMemoryMessage, type FromWorker, type ToWorker, type WorkerInit } from './protocol';
import { endMessage, runErrorOf } from './errors';
import { packEvents } from './step-codec';

const port = parentPort!;
const init = workerData as WorkerInit;
const realExit = process.exit.bind(process);

// Stacks (errors and captured call sites) then name the user's original .ts lines and columns.
process.setSourceMapsEnabled(true);
// Engine frames sit on top of the user's in most stacks: keep enough to reach the user's code.
Error.stackTraceLimit = 50;
const engineFile = fileURLToPath(import.meta.url);
setEngineFileTest((f) => f === engineFile || f.startsWith('node:') || f.startsWith('internal/'));

const send = (m: FromWorker): void => port.postMessage(m);

// ---- event batching: by size or age, checked on every event, since a synchronous training loop
// never lets a timer fire.
const FLUSH_MS = 25;
const FLUSH_SIZE = 200;
let buffer: RunEvent[] = [];
let lastPost = performance.now();
let timer: ReturnType<typeof setTimeout> | null = null;

function push(e: RunEvent): void {
  buffer.push(e);
  if (buffer.length >= FLUSH_SIZE || performance.now() - lastPost >= FLUSH_MS) flush();
  else if (timer === null) {
    timer = setTimeout(flush, FLUSH_MS);
    timer.unref();
  }
}

function flush(): void {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  lastPost = performance.now();
  if (buffer.length === 0) return;
  const events = buffer;
  buffer = [];
  send({ kind: 'events', events: packEvents(events), steps });
}

// ---- steps and the max-steps stop. Registered before the recorder, so on the first engine
// activity after step N (its optimizer step excepted) the run ends before the recorder sees it.
let steps = 0;
const maxSteps = init.maxSteps;
const pastMax = (): void => {
  if (maxSteps === undefined || steps < maxSteps) return;
  end('stopped', endMessage(`Stopped after ${maxSteps} step${maxSteps === 1 ? '' : 's'}: max steps reached`));
  halt();
};
// ---- memory: resourceLimits caps the JS heap only, but tensors live in ArrayBuffers outside it,
// so their (per-isolate) external memory is checked here, every few ops (a check costs ~1 µs).
const memoryLimit = init.memoryLimitMb === undefined ? Infinity : init.memoryLimitMb * 1024 * 1024;
const MEMORY_CHECK_EVERY = 16;
let opsSinceCheck = 0;
const checkMemory = (): void => {
  if (++opsSinceCheck < MEMORY_CHECK_EVERY) return;
  opsSinceCheck = 0;
  const h = getHeapStatistics();
  const used = h.used_heap_size + h.external_memory;
  if (used <= memoryLimit) return;
  end('failed', endMessage(outOfMemoryMessage(init.memoryLimitMb, used / (1024 * 1024))));
  halt();
};

const removeCounter = addObserver({
  onBackwardEnd: () => { steps++; },
  onForward: memoryLimit === Infinity ? pastMax : () => { pastMax(); checkMemory(); },
  onModuleCreated: pastMax,
});

const recorder = new Recorder({
  level: init.level,
  ...(init.histogramEvery !== undefined ? { histogramEvery: init.histogramEvery } : {}),
  ...(init.detectors !== undefined ? { detectors: init.detectors } : {}),
  emit: push,
});

let ended = false;
let settled = false;

function end(status: 'completed' | 'failed' | 'stopped', error?: RunError): void {
  if (ended) return;
  ended = true;
  removeCounter();
  try {
    // Flushes the last step and runs the end-of-run rules.
    recorder.stop();
  } catch (e) {
    push({ type: 'log', stream: 'stderr', text: `gradscope: instrumentation failed at the end of the run: ${runErrorOf(e).message}\n` });
  }
  flush();
  send({ kind: 'end', status, steps, ...(error !== undefined ? { error } : {}) });
}

/** Blocks until the main thread terminates this worker (a safety exit if it never does). */
function halt(): never {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
  return realExit(1);
}

process.on('uncaughtException', (e) => {
  end('failed', runErrorOf(e));
  halt();
});
process.on('unhandledRejection', (e) => {
  end('failed', runErrorOf(e));
  halt();
});
process.on('beforeExit', () => {
  if (!settled) end('failed', endMessage("The script's top-level await never settled (it waits on a promise nothing resolves)"));
  else end('completed');
});
process.exit = ((code?: number | string | null) => {
  const c = Number(code ?? process.exitCode ?? 0);
  if (c === 0) end('completed');
  else end('failed', endMessage(`The script called process.exit(${c})`));
  halt();
}) as typeof process.exit;

async function run(bundle: string): Promise<void> {
  process.argv = [process.execPath, init.script, ...init.args];
  // CommonJS code in the bundle (and esbuild's require shim) resolves from the script's folder.
  (globalThis as Record<string, unknown>).require = createRequire(init.script);
  recorder.start();
  try {
    await import(pathToFileURL(bundle).href);
    settled = true;
  } catch (e) {
    settled = true;
    end('failed', runErrorOf(e));
    halt();
  }
}

(globalThis as Record<string, unknown>)[ENGINE_GLOBAL] = gradscope;
port.once('message', (m: ToWorker) => { void run(m.bundle); });
send({ kind: 'ready', exports: Object.keys(gradscope) });
