import Foundation
import RegistryCore
import Testing

/// The comparison the deploy gate makes between the version serving and a candidate, from their stored signatures.
@Suite struct EmbeddingFactsTests {
    static func version(_ facts: [String: JSONValue]?, servable: Bool = true) throws -> ModelVersion {
        var signature: JSONValue = .object(["inputs": .array([])])
        if let facts, case .object(var object) = signature {
            object["embedding"] = .object(facts)
            signature = .object(object)
        }
        return ModelVersion(
            model: try ModelName(validating: "m"), version: .initial, createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0),
            serving: ServingInfo(artifact: nil, sha256: nil, servable: servable, signature: signature, inspectedAt: Date(timeIntervalSince1970: 0)))
    }

    static let base: [String: JSONValue] = [
        "dimension": .number(32), "tokenizer": .string(String(repeating: "a", count: 64)), "pooling": .string("mean"),
        "normalized": .bool(true),
    ]

    @Test func eachDifferenceIsNamedAndEqualFactsAreCompatible() throws {
        var other = Self.base
        other["dimension"] = .number(64)
        other["pooling"] = .string("cls")
        other["normalized"] = .bool(false)
        #expect(
            EmbeddingFacts.differences(serving: try Self.version(Self.base), candidate: try Self.version(other))
                == ["dimension: 32 → 64", "pooling: mean → cls", "normalisation: L2 → none"])
        #expect(EmbeddingFacts.differences(serving: try Self.version(Self.base), candidate: try Self.version(Self.base)).isEmpty)
        other = Self.base
        other["tokenizer"] = .string(String(repeating: "b", count: 64))
        #expect(
            EmbeddingFacts.differences(serving: try Self.version(Self.base), candidate: try Self.version(other))
                == ["tokenizer: vocabulary aaaaaaaaaaaa → bbbbbbbbbbbb"])
    }

    @Test func kindChangesCountAndUnservableVersionsAreLeftToTheOtherChecks() throws {
        #expect(
            EmbeddingFacts.differences(serving: try Self.version(nil), candidate: try Self.version(Self.base))
                == ["kind: not an embedding model → text embedding"])
        #expect(EmbeddingFacts.differences(serving: try Self.version(nil), candidate: try Self.version(nil)).isEmpty)
        #expect(EmbeddingFacts.differences(serving: try Self.version(Self.base), candidate: try Self.version(nil, servable: false)).isEmpty)
    }
}
