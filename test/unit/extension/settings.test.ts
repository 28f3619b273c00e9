import { describe, expect, it } from 'vitest';
import { runOptionsFromSettings } from '../../../extension/settings';

const reader = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });

describe('runOptionsFromSettings', () => {
  it('maps every setting to the runner option it controls', () => {
    expect(runOptionsFromSettings(reader({
      instrumentation: 'full',
      histogramEvery: 5,
      maxSteps: 100,
      timeoutSeconds: 30,
      memoryLimitMb: 2048,
      'detectors.deadReluFrac': 0.8,
      'detectors.disabled': ['loss-plateau'],
    }))).toEqual({
      level: 'full',
      histogramEvery: 5,
      maxSteps: 100,
      timeoutMs: 30_000,
      memoryLimitMb: 2048,
      detectors: { deadReluFrac: 0.8, disabled: ['loss-plateau'] },
    });
  });

  it('falls back to defaults for unset or invalid values', () => {
    expect(runOptionsFromSettings(reader({ instrumentation: 'loud', maxSteps: -1, timeoutSeconds: 0, histogramEvery: 'x' }))).toEqual({ level: 'default' });
  });
});
