import CModelKernels
import Foundation

/// `ai.modelyard:Attention` (opset 1): multi-head self-attention over a packed projection, as `BertEncoder` writes it.
///
/// Inputs: `qkv` `[batch, sequence, 3 * hidden]` (queries, keys and values side by side, each `hidden` wide and
/// split into `num_heads` heads) and an additive mask `[batch, 1, 1, sequence]` (0 for a token, a very negative
/// number for padding). Output: the heads' contexts `[batch, sequence, hidden]`, softmax(q kᵀ / √d + mask) v per head.
///
/// The same arithmetic as the standard graph (MatMul, Div, Add, Softmax, MatMul), without its four transposes: each
/// head is read from the projection and written to the output in place, through strided products.
enum AttentionOperator {
    static let domain = OpsetTable.modelyardDomain

    static var definition: OperatorDefinition {
        OperatorDefinition(domain: domain, name: "Attention", opsets: 1...1) { ctx in
            try ctx.expectInputs(2...2)
            _ = try ctx.expect(0, [.float32])
            _ = try ctx.expect(1, [.float32])
            let heads = try ctx.attributes.int("num_heads", default: 0)
            guard heads > 0, heads <= 4096 else { throw ctx.invalid("num_heads must be between 1 and 4096") }
            return BuiltOperator(
                kernel: AttentionKernel(heads: heads, level: KernelPaths.level, label: ctx.label), outputTypes: [.float32])
        }
    }
}

struct AttentionKernel: Kernel {
    let heads: Int
    let level: Int32
    let label: String

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let qkv = try inputs.required(0, label)
        let mask = try inputs.required(1, label)
        guard qkv.rank == 3, let packed = qkv.floats, let additive = mask.floats else {
            throw ModelRuntimeError.invalidInput("\(label): expected float qkv [batch, sequence, 3 x hidden] and a float mask")
        }
        let (batch, sequence, width) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
        guard width % 3 == 0, (width / 3) % heads == 0 else {
            throw ModelRuntimeError.invalidInput("\(label): qkv's last axis \(width) is not 3 x hidden with hidden a multiple of \(heads) heads")
        }
        guard mask.shape == [batch, 1, 1, sequence] else {
            throw ModelRuntimeError.invalidInput("\(label): the mask is \(mask.shape), expected [\(batch), 1, 1, \(sequence)]")
        }
        let hidden = width / 3, size = hidden / heads
        guard sequence > 0, batch > 0, size > 0 else { return [Tensor(unchecked: [batch, sequence, hidden], .float32([]))] }
        // The scores of one head at a time: sequence² floats, bounded like any activation of this size.
        let (scoreCount, overflow) = sequence.multipliedReportingOverflow(by: sequence)
        guard !overflow, scoreCount <= 1 << 28 else {
            throw ModelRuntimeError(.tooLarge, "\(label): \(sequence) tokens need a \(sequence) x \(sequence) score matrix per head; send shorter inputs")
        }
        let divisor = Float(size).squareRoot()
        var scores = [Float](repeating: 0, count: scoreCount)
        let output = [Float](unsafeUninitializedCapacity: batch * sequence * hidden) { out, initialized in
            packed.withUnsafeBufferPointer { p in
                additive.withUnsafeBufferPointer { m in
                    scores.withUnsafeMutableBufferPointer { s in
                        for b in 0..<batch {
                            let base = p.baseAddress! + b * sequence * width
                            for h in 0..<heads {
                                let q = base + h * size, k = base + hidden + h * size, v = base + 2 * hidden + h * size
                                GEMM.product(
                                    m: sequence, n: sequence, k: size, a: q, lda: width, b: k, ldb: width, transposeB: true,
                                    c: s.baseAddress!, ldc: sequence)
                                mk_softmax_rows_f32_at(s.baseAddress, sequence, sequence, divisor, m.baseAddress! + b * sequence, 1, sequence, level)
                                GEMM.product(
                                    m: sequence, n: size, k: sequence, a: s.baseAddress!, lda: sequence, b: v, ldb: width,
                                    transposeB: false, c: out.baseAddress! + b * sequence * hidden + h * size, ldc: hidden)
                            }
                        }
                    }
                }
            }
            initialized = batch * sequence * hidden
        }
        return [Tensor(unchecked: [batch, sequence, hidden], .float32(output))]
    }
}
