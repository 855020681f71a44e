import Crypto
public import Foundation
public import RegistryCore
import Synchronization

/// A token as it was created: the only time its secret exists outside the client.
public struct CreatedToken: Sendable {
    public let token: AccessToken
    public let secret: TokenSecret
}

/// API tokens: created (the secret shown once), listed, revoked, and checked on every request.
extension Registry {
    public func createToken(_ request: NewAccessToken, actor: String) async throws -> CreatedToken {
        try request.validate()
        let secret = TokenSecret.generate()
        let now = ISO8601.date(milliseconds: ISO8601.milliseconds(clock()))
        let token = AccessToken(
            name: request.name, scopes: Array(Set(request.scopes)).sorted(), models: request.models,
            secretHash: Self.secretHash(secret.text), hint: secret.hint, createdAt: now, createdBy: actor,
            expiresAt: request.lifetime.map { now.addingTimeInterval($0) })
        try await store.createToken(token)
        logger.notice("token created", metadata: ["token": "\(token.name)", "scopes": "\(token.scopes.map(\.rawValue))", "actor": "\(actor)"])
        return CreatedToken(token: token, secret: secret)
    }

    public func tokens() async throws -> [AccessToken] { try await store.tokens() }

    public func revokeToken(named name: String, actor: String) async throws -> AccessToken {
        let token = try await store.revokeToken(named: name, at: clock(), by: actor)
        logger.notice("token revoked", metadata: ["token": "\(name)", "actor": "\(actor)"])
        return token
    }

    /// The active token a request presents, read from the store on every call, so a revocation or an expiry
    /// applies to the very next request on every server sharing the store. A string that is not shaped like a
    /// token (prefix and checksum) is refused without touching the store.
    public func authenticate(_ presented: Substring) async throws -> AccessToken {
        guard let secret = TokenSecret(parsing: presented) else {
            throw RegistryError(.unauthenticated, "the bearer token is not a Modelyard token (myd_…); check for a copy-paste error")
        }
        let hash = Self.secretHash(secret.text)
        guard let token = try await store.token(secretHash: hash) else {
            throw RegistryError(.unauthenticated, "the bearer token \(secret) is unknown; create one with `modelyard tokens create`")
        }
        let now = clock()
        switch token.state(at: now) {
        case .revoked:
            throw RegistryError(.unauthenticated, "the token '\(token.name)' was revoked; ask an admin for a new one")
        case .expired:
            throw RegistryError(.unauthenticated, "the token '\(token.name)' expired; ask an admin for a new one")
        case .active:
            break
        }
        noteUse(hash, last: token.lastUsedAt, now: now)
        return token
    }

    /// SHA-256 of the secret, lowercase hex: a 256-bit random secret needs no slow password hash.
    public static func secretHash(_ secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Records `last_used_at` at most once a minute per token, off the request's path.
    private func noteUse(_ hash: String, last: Date?, now: Date) {
        if let last, now.timeIntervalSince(last) < TokenUse.interval { return }
        guard tokenUse.claim(hash, now: now) else { return }
        let store = self.store
        Task.detached(priority: .background) { try? await store.recordTokenUse([hash: now]) }
    }
}

/// Which tokens this process recorded a use of recently, so a burst of requests writes `last_used_at` once.
final class TokenUse: Sendable {
    static let interval: TimeInterval = 60
    private let recorded = Mutex<[String: Date]>([:])

    func claim(_ hash: String, now: Date) -> Bool {
        recorded.withLock { recorded in
            if let last = recorded[hash], now.timeIntervalSince(last) < Self.interval { return false }
            if recorded.count > 10_000 { recorded.removeAll() }
            recorded[hash] = now
            return true
        }
    }
}
