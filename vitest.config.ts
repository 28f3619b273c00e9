import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: {
    // Users' scripts (and examples/) import the engine as 'gradscope'.
    alias: { gradscope: fileURLToPath(new URL('./core/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/unit/**/*.test.ts'],
  },
});
