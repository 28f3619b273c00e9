import type { OutputFile } from 'esbuild';

export function buildPanel(root: string, outDir: string): Promise<OutputFile[]>;
