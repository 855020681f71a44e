public import ModelRuntime

/// Inputs built from a signature alone: the warm-up prediction's one row and the benchmark's batches.
enum SignatureInputs {
    /// The session's own example inputs where it has them, else inputs built from its signature.
    static func make(_ session: any InferenceSession, batch: Int?, seed: UInt64?) throws -> [String: Tensor] {
        if let own = try session.exampleInputs(batch: batch ?? 1, seed: seed) { return own }
        return try make(session.signature, batch: batch, seed: seed)
    }

    /// `batch` rows (`nil`: the declared batch dimension, 1 when free) shaped after each input's declared shape,
    /// other free dimensions 1. Floats
    /// are seeded standard normals when `seed` is given, else zeros; integers 0 (a valid category index),
    /// booleans `false`, strings empty.
    static func make(_ signature: ModelSignature, batch: Int?, seed: UInt64?) throws -> [String: Tensor] {
        var generator = SplitMix64(seed: seed ?? 0)
        func float() -> Double { seed == nil ? 0 : generator.nextGaussian() }
        var result: [String: Tensor] = [:]
        for input in signature.inputs {
            var shape = (input.shape ?? [.unknown]).map { if case .fixed(let n) = $0 { max(n, 0) } else { 1 } }
            if let batch, !shape.isEmpty { shape[0] = batch }
            let count = try Tensor.count(of: shape, "input '\(input.name)'")
            let storage: Tensor.Storage =
                switch input.elementType {
                case .float32: .float32((0..<count).map { _ in Float(float()) })
                case .float64: .float64((0..<count).map { _ in float() })
                case .int64: .int64(.init(repeating: 0, count: count))
                case .int32: .int32(.init(repeating: 0, count: count))
                case .bool: .bool(.init(repeating: false, count: count))
                case .string: .string(.init(repeating: "", count: count))
                }
            result[input.name] = try Tensor(shape: shape, storage: storage)
        }
        return result
    }
}
