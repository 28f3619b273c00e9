// The same run()-shaped extension tests through @vscode/test-electron, for machines that can download
// VS Code (it fetches a build at run time; here it fails with ENOTFOUND: use harness.mjs's
// runExtensionTests, which needs no download). Usage:
//   node test/e2e/electron.mjs <extensionPath> <testsPath> <workspace>
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toolsDir } from './harness.mjs';

/** @param {{ extensionPath: string, testsPath: string, workspace: string, version?: string }} opts */
export async function runExtensionTestsElectron(opts) {
  const { runTests } = createRequire(join(toolsDir, 'package.json'))('@vscode/test-electron');
  const userData = mkdtempSync(join(tmpdir(), 'gradscope-electron-'));
  return runTests({
    version: opts.version ?? '1.139.1', // the VS Code the code-server path runs
    extensionDevelopmentPath: resolve(opts.extensionPath),
    extensionTestsPath: resolve(opts.testsPath),
    launchArgs: [resolve(opts.workspace), '--disable-extensions', '--disable-workspace-trust',
      `--user-data-dir=${join(userData, 'ud')}`, `--extensions-dir=${join(userData, 'ext')}`],
    extensionTestsEnv: { E2E_RESULT_FILE: join(userData, 'result.json') },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [extensionPath, testsPath, workspace] = process.argv.slice(2);
  if (!workspace) {
    console.error('usage: node test/e2e/electron.mjs <extensionPath> <testsPath> <workspace>');
    process.exit(2);
  }
  runExtensionTestsElectron({ extensionPath, testsPath, workspace }).then(
    (code) => process.exit(code),
    (e) => { console.error(String(e?.message ?? e)); process.exit(1); },
  );
}
