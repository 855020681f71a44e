import Foundation
import RegistryCore
import Testing

@Suite struct AccessTokenTests {
    @Test func secretsHaveTheirShapeAndRoundTrip() throws {
        var seen: Set<String> = []
        for _ in 0..<200 {
            let secret = TokenSecret.generate()
            #expect(secret.text.hasPrefix("myd_") && secret.text.utf8.count == TokenSecret.length)
            #expect(TokenSecret(parsing: secret.text) == secret)
            #expect(!secret.description.contains(secret.text.dropFirst(10)))
            seen.insert(secret.text)
        }
        #expect(seen.count == 200)
    }

    /// The checksum catches every single-character change and random strings of the right shape, offline.
    @Test func checksumRefusesAlteredAndRandomStrings() throws {
        let secret = TokenSecret.generate().text
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var characters = Array(secret)
        for index in 4..<characters.count {
            let original = characters[index]
            characters[index] = alphabet.first { $0 != original }!
            #expect(TokenSecret(parsing: String(characters)) == nil, "position \(index)")
            characters[index] = original
        }
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<2_000 {
            let random = "myd_" + String((0..<49).map { _ in alphabet[Int.random(in: 0..<62, using: &generator)] })
            if TokenSecret(parsing: random) != nil { accepted += 1 }
        }
        #expect(accepted == 0)
        for bad in ["", "myd_", "ghp_" + secret.dropFirst(4), secret + "x", String(secret.dropLast()), "Bearer " + secret] {
            #expect(TokenSecret(parsing: bad) == nil)
        }
    }

    @Test func scopesMeetRequirements() {
        func token(_ scopes: [AccessScope]) -> AccessToken {
            AccessToken(name: "t", scopes: scopes, secretHash: "", hint: "", createdAt: Date(), createdBy: "x")
        }
        #expect(token([.read]).hasScope(for: .read) && !token([.read]).hasScope(for: .write))
        #expect(!token([.read]).hasScope(for: .predict) && !token([.predict]).hasScope(for: .read))
        #expect(token([.predict]).hasScope(for: .predictOrRead) && token([.read]).hasScope(for: .predictOrRead))
        #expect(token([.write]).hasScope(for: .read) && !token([.write]).hasScope(for: .deploy))
        #expect(token([.deploy]).hasScope(for: .read) && !token([.deploy]).hasScope(for: .write))
        #expect(!token([.deploy, .write]).hasScope(for: .admin))
        for requirement in AccessRequirement.allCases { #expect(token([.admin]).hasScope(for: requirement)) }
        #expect(token([.predict]).hasScope(for: .authenticated))
    }

    @Test func modelRestrictions() throws {
        let limited = ModelRestriction(names: ["fraud"], prefixes: ["churn-"])
        #expect(limited.allows("fraud") && limited.allows("churn-eu") && !limited.allows("fraud2") && !limited.allows("churn"))
        #expect(ModelRestriction.all.allows("anything"))
        #expect(throws: RegistryError.self) { try ModelRestriction(names: ["a/b"]).validate() }
    }

    @Test func requestsAreValidated() throws {
        #expect(try NewAccessToken.parseLifetime("30d") == 30 * 86_400)
        #expect(try NewAccessToken.parseLifetime("12h") == 12 * 3600)
        for bad in ["", "d", "-1d", "0d", "10x", "1.5d", "999999999d"] {
            #expect(throws: RegistryError.self, "\(bad)") { try NewAccessToken.parseLifetime(bad) }
        }
        #expect(try AccessScope.parseList("read, deploy,read") == [.read, .deploy])
        #expect(throws: RegistryError.self) { try AccessScope.parseList("root") }
        #expect(throws: RegistryError.self) { try AccessScope.parseList("") }
        for bad in ["", "has space", "a/b", String(repeating: "x", count: 65), "naïve"] {
            #expect(throws: RegistryError.self, "\(bad)") { try NewAccessToken(name: bad, scopes: [.read]).validate() }
        }
        try NewAccessToken(name: "ci-2.prod_x", scopes: [.read]).validate()
    }
}
