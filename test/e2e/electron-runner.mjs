// The GradScope integration tests (test/e2e/extension-tests/, built to out/test/extension-tests.cjs)
// through @vscode/test-electron, for machines that can download VS Code: the same run() entry that
// specs/extension.spec.mjs executes in code-server here, where the download fails (ENOTFOUND).
// Usage: npm run build && node test/e2e/electron-runner.mjs
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, repoRoot } from './harness.mjs';
import { runExtensionTestsElectron } from './electron.mjs';

const workspace = makeWorkspace({
  files: Object.fromEntries(['nan-log-zero.ts', 'dead-relu.ts', 'data.ts'].map((f) => [f, readFileSync(join(repoRoot, 'examples', f), 'utf8')])),
});
try {
  const code = await runExtensionTestsElectron({
    extensionPath: repoRoot,
    testsPath: join(repoRoot, 'out/test/extension-tests.cjs'),
    workspace,
  });
  process.exitCode = code;
} catch (e) {
  console.error(`electron-runner: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
