// Embedding lookup: rows of a weight table picked by integer indices (PyTorch's F.embedding).

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { indexSelect0 } from './shape-ops';
import { where } from './elementwise';

export interface EmbeddingOptions {
  /** A row that is looked up as usual but never receives a gradient (e.g. the padding token). */
  paddingIdx?: number | null;
}

/** Resolves a possibly negative padding index against the table size, or throws naming `op`. */
export function resolvePaddingIdx(paddingIdx: number | null | undefined, numEmbeddings: number, op: string): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
    throw new OpError(op, `paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}], got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
}

/** weight[indices]: output shape [...indices.shape, embeddingDim] for weight [numEmbeddings, embeddingDim]. */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}, op = 'embedding'): Tensor {
  if (!(indices instanceof Tensor)) throw new OpError(op, `indices must be a Tensor, got ${indices === null ? 'null' : typeof indices}`);
  if (!(weight instanceof Tensor) || weight.ndim !== 2) {
    throw new OpError(op, `weight must be a 2-D Tensor [numEmbeddings, embeddingDim], got ${weight instanceof Tensor ? shapeStr(weight.shape) : typeof weight}`);
  }
  const num = weight.shape[0]!;
  const pad = resolvePaddingIdx(options.paddingIdx, num, op);
  // Checked here rather than by indexSelect0, which would accept negative indices.
  const I = indices.data;
  let padHits = 0;
  for (let i = 0; i < I.length; i++) {
    const v = I[i]!;
    if (!Number.isInteger(v)) throw new OpError(op, `index ${v} at position ${i} of indices ${shapeStr(indices.shape)} is not an integer`);
    if (v < 0 || v >= num) throw new OpError(op, `index ${v} at position ${i} of indices ${shapeStr(indices.shape)} is out of range for ${num} embeddings (expected 0 to ${num - 1})`);
    if (v === pad) padHits++;
  }
  const out = indexSelect0(weight, indices, op);
  if (pad === null || padHits === 0 || !out.requiresGrad) return out;
  // The padding row must get no gradient: at its positions take the same values from a detached
  // copy, so the lookup's gradient there is masked to zero.
  const mask = new Float32Array(I.length);
  for (let i = 0; i < I.length; i++) if (I[i] === pad) mask[i] = 1;
  const padRow = weight.detach().select(0, pad);
  return where(Tensor._make(mask, [...indices.shape, 1]), padRow, out);
}
