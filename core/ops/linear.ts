// The fully connected layer as one primitive: y = x·Wᵀ + b. Using W as stored ([out, in]) avoids
// transposing it on every step; the three products use the matmul kernels' loop orders.

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { apply, defineOp } from './op';
import { mmNN, mmNT, mmTN } from './matmul';

export const LinearOp = defineOp({
  name: 'Linear',
  forward: ([x, w, b]) => {
    const inF = w!.shape[1]!;
    const outF = w!.shape[0]!;
    const rows = x!.data.length / inF;
    const Y = new Float32Array(rows * outF);
    if (b !== undefined) {
      // A plain loop: TypedArray.set per row costs more than the copy for narrow layers.
      const B = b.data;
      for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < outF; j++, o++) Y[o] = B[j]!;
    }
    mmNT(x!.data, 0, w!.data, 0, Y, 0, rows, inF, outF);
    return Tensor._make(Y, [...x!.shape.slice(0, -1), outF]);
  },
  backward: (g, { inputs: [x, w, b] }) => {
    const inF = w!.shape[1]!;
    const outF = w!.shape[0]!;
    const rows = x!.data.length / inF;
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x!.requiresGrad) {
      const GX = new Float32Array(x!.data.length);
      mmNN(g.data, 0, w!.data, 0, GX, 0, rows, outF, inF, true);
      gx = Tensor._make(GX, x!.shape);
    }
    if (w!.requiresGrad) {
      const GW = new Float32Array(w!.data.length);
      mmTN(g.data, 0, x!.data, 0, GW, 0, outF, rows, inF, true);
      gw = Tensor._make(GW, w!.shape);
    }
    if (b !== undefined && b.requiresGrad) {
      const G = g.data;
      const acc = new Float64Array(outF);
      for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < outF; j++, o++) acc[j]! += G[o]!;
      const GB = new Float32Array(outF);
      for (let j = 0; j < outF; j++) GB[j] = acc[j]!;
      gb = Tensor._make(GB, b.shape);
    }
    return b === undefined ? [gx, gw] : [gx, gw, gb];
  },
});

/** x·Wᵀ + b for x of shape [..., in], W [out, in], b [out] (PyTorch's F.linear). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, op = 'linear'): Tensor {
  if (!(x instanceof Tensor)) throw new OpError(op, `input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (weight.ndim !== 2) throw new OpError(op, `weight must be 2-D, got ${shapeStr(weight.shape)}`);
  const inF = weight.shape[1]!;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new OpError(op, `input of shape ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)}: the last dim must be ${inF} (in features)`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new OpError(op, `bias of shape ${shapeStr(bias.shape)} does not match weight ${shapeStr(weight.shape)}`);
  }
  return apply(LinearOp, bias === null ? [x, weight] : [x, weight, bias], undefined);
}
