// `gradscope` entry logic: parse, dispatch, and turn bad usage into exit code 3 with a pointer to
// --help. The process wiring (argv, streams, signals, exit) lives in cli.ts.

import { version } from '../../package.json';
import { EXIT, UsageError, helpText, parseArgs } from './args';
import { runCommand, type CliIO } from './run';

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    if (cmd.kind === 'help') {
      io.stdout.write(helpText(version));
      return EXIT.ok;
    }
    if (cmd.kind === 'version') {
      io.stdout.write(`${version}\n`);
      return EXIT.ok;
    }
    return await runCommand(cmd, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`gradscope: ${err.message}\nRun 'gradscope --help' for usage.\n`);
    return EXIT.usage;
  }
}
