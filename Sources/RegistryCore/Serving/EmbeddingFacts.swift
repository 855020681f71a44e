/// What decides whether two text-embedding versions' vectors can share one index, as serving recorded it in the
/// version's signature (`signature.embedding`): dimension, tokenizer fingerprint, pooling and normalisation.
public struct EmbeddingFacts: Sendable, Equatable {
    public var dimension: Int
    public var tokenizer: String
    public var pooling: String
    public var normalized: Bool

    public init(dimension: Int, tokenizer: String, pooling: String, normalized: Bool) {
        self.dimension = dimension
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.normalized = normalized
    }

    /// The facts of a servable version's signature, or `nil` when it is not an embedding model.
    public init?(_ serving: ServingInfo?) {
        guard let serving, serving.servable, case .object(let signature)? = serving.signature,
            case .object(let facts)? = signature["embedding"], case .number(let dimension)? = facts["dimension"],
            case .string(let tokenizer)? = facts["tokenizer"], case .string(let pooling)? = facts["pooling"],
            case .bool(let normalized)? = facts["normalized"]
        else { return nil }
        self.init(dimension: Int(dimension), tokenizer: tokenizer, pooling: pooling, normalized: normalized)
    }

    /// Each way `candidate`'s vectors would differ from `serving`'s, as `what: old → new`; empty when they are
    /// comparable or when neither is an embedding model (or either cannot be served, which other checks refuse).
    public static func differences(serving: ModelVersion, candidate: ModelVersion) -> [String] {
        guard serving.serving?.servable == true, candidate.serving?.servable == true else { return [] }
        let old = EmbeddingFacts(serving.serving)
        let new = EmbeddingFacts(candidate.serving)
        switch (old, new) {
        case (nil, nil): return []
        case (nil, _?): return ["kind: not an embedding model → text embedding"]
        case (_?, nil): return ["kind: text embedding → not an embedding model"]
        case (let a?, let b?):
            var out: [String] = []
            if a.dimension != b.dimension { out.append("dimension: \(a.dimension) → \(b.dimension)") }
            if a.tokenizer != b.tokenizer { out.append("tokenizer: vocabulary \(a.tokenizer.prefix(12)) → \(b.tokenizer.prefix(12))") }
            if a.pooling != b.pooling { out.append("pooling: \(a.pooling) → \(b.pooling)") }
            if a.normalized != b.normalized {
                out.append("normalisation: \(a.normalized ? "L2" : "none") → \(b.normalized ? "L2" : "none")")
            }
            return out
        }
    }
}
