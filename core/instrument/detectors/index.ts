export { DiagnosisEngine, SEVERITY } from './engine';
export { DEFAULT_DETECTOR_CONFIG, resolveConfig, type DetectorConfig } from './config';
export { nonFiniteFix } from './rules/nan-inf';
export { fmt, pct } from './rules/format';
