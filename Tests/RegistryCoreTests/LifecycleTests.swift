import Testing

@testable import RegistryCore

@Suite struct LifecycleTests {
    @Test func legalMovesFollowTheLifecycle() throws {
        try VersionStatus.draft.checkTransition(to: .training)
        try VersionStatus.training.checkTransition(to: .ready)
        try VersionStatus.ready.checkTransition(to: .deprecated)
        try VersionStatus.deprecated.checkTransition(to: .archived)
        try VersionStatus.deprecated.checkTransition(to: .ready)
    }

    @Test(arguments: [
        (VersionStatus.ready, VersionStatus.draft), (.ready, .training), (.archived, .ready), (.archived, .deprecated),
        (.training, .draft), (.draft, .deprecated),
    ])
    func illegalMovesAreRefusedWithTheAllowedOnes(from: VersionStatus, to: VersionStatus) {
        let error = #expect(throws: RegistryError.self) { try from.checkTransition(to: to) }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains("allowed") == true)
    }

    @Test func artifactsAreSealedFromReadyOn() {
        #expect(VersionStatus.draft.acceptsArtifacts && VersionStatus.training.acceptsArtifacts)
        #expect(!VersionStatus.ready.acceptsArtifacts && !VersionStatus.deprecated.acceptsArtifacts)
    }

    @Test func deployedVersionsCannotBeArchivedOrDeleted() {
        #expect(throws: RegistryError.self) {
            try VersionRules.checkStatusChange(.initial, from: .ready, to: .archived, servingIn: [.production])
        }
        #expect(throws: RegistryError.self) {
            try VersionRules.checkDelete(.initial, servingIn: [.production], children: [])
        }
        #expect(throws: RegistryError.self) {
            try VersionRules.checkDelete(
                .initial, servingIn: [], children: [VersionKey(model: ModelName(rawValue: "m"), version: .initial)])
        }
        #expect(throws: Never.self) { try VersionRules.checkDelete(.initial, servingIn: [], children: []) }
    }
}
