// `npm run bench [name…]`: bundles each bench/*.bench.ts with esbuild ('gradscope' → core/) and
// runs it in this Node process. Benchmarks print their own figures.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)));

for (const file of benches) {
  const outfile = join(root, 'out', 'bench', file.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join(root, 'bench', file)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    alias: { gradscope: join(root, 'core', 'index.ts') },
    // tfjs from its ES modules (its CommonJS bundle lacks the gradients), with the CommonJS
    // `require` and `__dirname` its emscripten loader expects under Node.
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; import { dirname as __dn } from 'node:path'; import { fileURLToPath as __fu } from 'node:url'; const require = __cr(import.meta.url); const __dirname = __dn(__fu(import.meta.url));",
    },
    logLevel: 'warning',
  });
  console.log(`\n## ${file}`);
  await import(pathToFileURL(outfile).href);
}
