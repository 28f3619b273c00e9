// The `gradscope.*` settings, read into runner options. Pure (no vscode import): the extension
// passes a getter over its WorkspaceConfiguration, tests pass a plain object.

import type { RunOptions } from '../core/runner/types';
import type { DetectorConfig } from '../core/instrument/detectors';
import type { Level } from '../core/instrument/records';

export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

const LEVELS: readonly Level[] = ['off', 'default', 'full'];

/** Detector thresholds that have a setting: `gradscope.detectors.<name>`. */
export const DETECTOR_SETTINGS = [
  'windowSteps', 'explodingAbsNorm', 'explodingRatio', 'vanishingRatio', 'vanishingFirstNorm', 'deadReluFrac',
  'saturatedFrac', 'noGradientSteps', 'divergenceFactor', 'plateauWindow', 'plateauRelChange', 'plateauMinLoss',
  'lrHighRatio', 'lrHighWindow', 'lrLowRatio', 'lrLowWindow', 'fp16UnderflowFrac',
] as const satisfies readonly (keyof DetectorConfig)[];

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Builds RunOptions from the settings; invalid or unset values fall back to the runner's defaults. */
export function runOptionsFromSettings(s: SettingsReader): RunOptions {
  const level = s.get<string>('instrumentation');
  const options: RunOptions = { level: LEVELS.includes(level as Level) ? (level as Level) : 'default' };
  const k = positive(s.get<number>('histogramEvery'));
  if (k !== undefined) options.histogramEvery = Math.floor(k);
  const maxSteps = positive(s.get<number>('maxSteps'));
  if (maxSteps !== undefined) options.maxSteps = Math.floor(maxSteps);
  const timeout = positive(s.get<number>('timeoutSeconds'));
  if (timeout !== undefined) options.timeoutMs = timeout * 1000;
  const memory = positive(s.get<number>('memoryLimitMb'));
  if (memory !== undefined) options.memoryLimitMb = memory;
  const detectors: Partial<DetectorConfig> = {};
  for (const name of DETECTOR_SETTINGS) {
    const v = s.get<number>(`detectors.${name}`);
    if (typeof v === 'number' && Number.isFinite(v)) detectors[name] = v;
  }
  const disabled = s.get<string[]>('detectors.disabled');
  if (Array.isArray(disabled) && disabled.length > 0) detectors.disabled = disabled as DetectorConfig['disabled'];
  if (Object.keys(detectors).length > 0) options.detectors = detectors;
  return options;
}
