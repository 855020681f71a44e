import Foundation
import RegistryCore
import RegistryStore
import Testing

/// What every store must do for API tokens; added to `StoreConformance.cases`.
enum TokenConformance {
    typealias Case = StoreConformance.Case

    static let cases: [String: Case] = ["tokens": tokens]

    static func token(_ name: String, hash: String, expires: Date? = nil) -> AccessToken {
        AccessToken(
            name: name, scopes: [.read, .deploy], models: ModelRestriction(names: ["fraud"], prefixes: ["churn-"]),
            secretHash: hash, hint: "myd_abcdef", createdAt: Date(timeIntervalSince1970: 1_800_000_000),
            createdBy: "root", expiresAt: expires)
    }

    static let tokens: Case = { store in
        #expect(try await store.tokens().isEmpty)
        let first = token("ci", hash: String(repeating: "a", count: 64), expires: Date(timeIntervalSince1970: 1_900_000_000))
        try await store.createToken(first)
        try await store.createToken(token("scorer", hash: String(repeating: "b", count: 64)))
        // Names are unique; so are hashes (a colliding hash would let one secret act as two tokens).
        await StoreConformance.expectCode(.alreadyExists) {
            try await store.createToken(token("ci", hash: String(repeating: "c", count: 64)))
        }
        await StoreConformance.expectCode(.failedPrecondition) {
            try await store.createToken(token("other", hash: String(repeating: "a", count: 64)))
        }
        #expect(try await store.token(secretHash: String(repeating: "a", count: 64)) == first)
        #expect(try await store.token(secretHash: String(repeating: "f", count: 64)) == nil)
        #expect(try await store.tokens().map(\.name) == ["ci", "scorer"])

        // Uses move last_used_at forward only.
        let later = Date(timeIntervalSince1970: 1_800_000_100)
        try await store.recordTokenUse([first.secretHash: later])
        try await store.recordTokenUse([first.secretHash: Date(timeIntervalSince1970: 1_800_000_050)])
        #expect(try await store.token(secretHash: first.secretHash)?.lastUsedAt == later)

        let revoked = try await store.revokeToken(named: "ci", at: later, by: "admin")
        #expect(revoked.revokedAt == later && revoked.revokedBy == "admin")
        #expect(try await store.token(secretHash: first.secretHash) == revoked)
        await StoreConformance.expectCode(.failedPrecondition) {
            _ = try await store.revokeToken(named: "ci", at: later, by: "admin")
        }
        await StoreConformance.expectCode(.notFound) { _ = try await store.revokeToken(named: "nobody", at: later, by: "admin") }
        // A revoked token's name stays taken.
        await StoreConformance.expectCode(.alreadyExists) {
            try await store.createToken(token("ci", hash: String(repeating: "d", count: 64)))
        }
    }
}
