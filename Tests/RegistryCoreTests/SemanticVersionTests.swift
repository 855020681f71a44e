import Testing

@testable import RegistryCore

@Suite struct SemanticVersionTests {
    @Test func parsesPlainAndPrefixedForms() throws {
        #expect(try SemanticVersion(parsing: "1.2.3") == SemanticVersion(major: 1, minor: 2, patch: 3))
        #expect(try SemanticVersion(parsing: "v10.0.7").description == "10.0.7")
    }

    @Test(arguments: ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.-2.3", "a.b.c", "1.2.3-beta", "1234567.0.0", "v", "1..3"])
    func refusesMalformedVersions(text: String) {
        #expect(throws: RegistryError.self) { try SemanticVersion(parsing: text) }
    }

    @Test func bumpsEachComponent() throws {
        let base = try SemanticVersion(parsing: "1.4.2")
        #expect(base.bumped(.major).description == "2.0.0")
        #expect(base.bumped(.minor).description == "1.5.0")
        #expect(base.bumped(.patch).description == "1.4.3")
    }

    @Test func ordinalOrdersLikeVersionsAndRoundTrips() throws {
        let versions = try ["1.10.0", "1.2.0", "2.0.0", "1.2.10", "0.9.999"].map(SemanticVersion.init(parsing:))
        #expect(versions.sorted().map(\.description) == ["0.9.999", "1.2.0", "1.2.10", "1.10.0", "2.0.0"])
        #expect(versions.map(\.ordinal).sorted() == versions.sorted().map(\.ordinal))
        for version in versions { #expect(SemanticVersion(ordinal: version.ordinal) == version) }
    }

    @Test func assignmentStartsAtOneAndBumpsTheHighest() throws {
        #expect(try VersionRequest.bump(.minor).assign(after: nil).description == "1.0.0")
        #expect(try VersionRequest.bump(.major).assign(after: nil).description == "1.0.0")
        #expect(try VersionRequest.bump(.patch).assign(after: SemanticVersion(parsing: "1.3.0")).description == "1.3.1")
        #expect(try VersionRequest.explicit(SemanticVersion(parsing: "3.0.0")).assign(after: SemanticVersion(parsing: "2.9.9")).description == "3.0.0")
    }

    @Test func explicitVersionMustBeHigherThanEveryExistingOne() throws {
        let error = #expect(throws: RegistryError.self) {
            try VersionRequest.explicit(SemanticVersion(parsing: "1.0.0")).assign(after: SemanticVersion(parsing: "1.0.0"))
        }
        #expect(error?.code == .alreadyExists)
        #expect(error?.message.contains("higher") == true)
    }

    @Test func selectorsParseVersionsAndAliases() throws {
        #expect(try VersionSelector(parsing: "v1.0.0") == .version(.initial))
        #expect(try VersionSelector(parsing: "@production") == .alias(.production))
        #expect(throws: RegistryError.self) { try VersionSelector(parsing: "@") }
        #expect(throws: RegistryError.self) { try VersionSelector(parsing: "@a b") }
    }
}
