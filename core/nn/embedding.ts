import { Tensor } from '../tensor';
import { OpError } from '../shape';
import { empty } from './params';
import { Module, Parameter } from './module';
import { normal } from './init';
import { embedding, resolvePaddingIdx } from '../ops/embedding';

export interface EmbeddingLayerOptions {
  /** This row starts at zero and never receives a gradient (e.g. the padding token). */
  paddingIdx?: number | null;
}

/**
 * A lookup table of numEmbeddings vectors of size embeddingDim: integer-valued indices of any shape
 * […] → […, embeddingDim]. weight starts standard normal. PyTorch: `torch.nn.Embedding`.
 */
export class Embedding extends Module {
  weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, { paddingIdx = null }: EmbeddingLayerOptions = {}) {
    super();
    for (const [n, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new OpError('Embedding', `${n} must be a positive integer, got ${v}`);
    }
    this.paddingIdx = resolvePaddingIdx(paddingIdx, numEmbeddings, 'Embedding');
    this.weight = Parameter(normal(empty([numEmbeddings, embeddingDim])));
    this.resetPadding();
  }

  /** Zeroes the padding row (PyTorch does this at construction and in reset_parameters). */
  private resetPadding(): void {
    const p = this.paddingIdx;
    if (p !== null) this.weight.data.fill(0, p * this.embeddingDim, (p + 1) * this.embeddingDim);
  }

  resetParameters(): void {
    normal(this.weight);
    this.resetPadding();
  }

  override forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx }, 'Embedding');
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
