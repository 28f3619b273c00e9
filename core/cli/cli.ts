#!/usr/bin/env node
// The `gradscope` executable (bundled to out/cli.mjs, package.json `bin`; esbuild keeps the hashbang).

import { htmlAssets } from './html-assets';
import { main } from './main';

const onInterrupt = (handler: () => void): (() => void) => {
  let count = 0;
  const listener = (): void => {
    // First Ctrl-C: stop the run and still write the reports; a second one leaves at once.
    if (++count > 1) process.exit(130);
    process.stderr.write('\ngradscope: stopping (Ctrl-C again to quit at once)\n');
    handler();
  };
  process.on('SIGINT', listener);
  return () => process.off('SIGINT', listener);
};

// `gradscope run x.ts | head`: a reader that leaves early is not an error of the run.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), onInterrupt, htmlAssets }).then(
  // Exit once stdout and stderr are flushed: V8 may still be optimising esbuild's WebAssembly in
  // the background, which would otherwise hold the process for seconds after the summary.
  (code) => {
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (err: unknown) => {
    process.stderr.write(`gradscope: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
