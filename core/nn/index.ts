// Everything under `nn` for users' scripts. Layers live one family per file.
export { Module, Parameter, type StateDictValue, type LoadStateDictOptions } from './module';
export { Linear, type LinearOptions } from './linear';
export { Conv2d, type Conv2dLayerOptions } from './conv';
export { MaxPool2d, AvgPool2d } from './pooling';
export { ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax, Identity, Flatten } from './activation';
export { Sequential, ModuleList } from './container';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormLayerOptions, type LayerNormLayerOptions } from './normalization';
export { Embedding, type EmbeddingLayerOptions } from './embedding';
export { RNN, LSTM, GRU, type RNNOptions, type RNNBaseOptions } from './rnn';
export * as init from './init';
export { MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, type Reduction, type LossOptions, type NLLLossOptions, type CrossEntropyLossOptions, type BCELossOptions, type BCEWithLogitsLossOptions } from './loss';
export * as utils from './utils';
