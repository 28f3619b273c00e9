// Everything under `optim` for users' scripts: optimizers and `optim.lrScheduler`.
export { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamsArg } from './optimizer';
export { SGD, type SGDOptions, type SGDState } from './sgd';
export { Adam, AdamW, type AdamOptions, type AdamState } from './adam';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './rmsprop';
export * as lrScheduler from './lr-scheduler';
