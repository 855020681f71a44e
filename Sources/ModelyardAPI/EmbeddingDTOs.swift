public import Foundation

/// `POST /api/v1/models/{model}/embed`: texts in, vectors out.
public struct EmbedRequest: Codable, Sendable, KnownFields {
    /// The texts (a single string is one input).
    public var inputs: [String]
    /// The environment whose traffic policy picks the version (`production` when absent).
    public var environment: String?
    /// A version instead of the environment's (`1.2.0`, `3` or `@alias`).
    public var version: String?
    /// One of the model's named prompts (`query`, `passage`, ...), prefixed to every input.
    public var promptName: String?
    /// `false` refuses an input longer than the model's maximum instead of cutting it (default `true`).
    public var truncate: Bool?

    public init(inputs: [String], environment: String? = nil, version: String? = nil, promptName: String? = nil, truncate: Bool? = nil) {
        self.inputs = inputs
        self.environment = environment
        self.version = version
        self.promptName = promptName
        self.truncate = truncate
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case inputs, environment, version, truncate
        case promptName = "prompt_name"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let one = try? c.decode(String.self, forKey: .inputs) {
            inputs = [one]
        } else {
            inputs = try c.decode([String].self, forKey: .inputs)
        }
        environment = try c.decodeIfPresent(String.self, forKey: .environment)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        promptName = try c.decodeIfPresent(String.self, forKey: .promptName)
        truncate = try c.decodeIfPresent(Bool.self, forKey: .truncate)
    }
}

public struct EmbedResponse: Codable, Sendable, Equatable {
    public var model: String
    public var version: String
    public var dimension: Int
    public var embeddings: [[Float]]
    /// Tokens each input became, special tokens included.
    public var tokenCounts: [Int]
    /// Whether each input was cut at the model's maximum.
    public var truncated: [Bool]
    public var promptName: String?

    public init(
        model: String, version: String, dimension: Int, embeddings: [[Float]], tokenCounts: [Int], truncated: [Bool],
        promptName: String?
    ) {
        self.model = model
        self.version = version
        self.dimension = dimension
        self.embeddings = embeddings
        self.tokenCounts = tokenCounts
        self.truncated = truncated
        self.promptName = promptName
    }

    enum CodingKeys: String, CodingKey {
        case model, version, dimension, embeddings, truncated
        case tokenCounts = "token_counts"
        case promptName = "prompt_name"
    }
}
