import Foundation
import RegistryCore
import RegistryStore
import Testing

@Suite struct SQLiteStoreConformanceTests {
    /// Runs `body` with the path of a registry file in a fresh temporary directory, removed afterwards.
    static func withRegistryFile(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("registry.sqlite").path)
    }

    @Test(arguments: StoreConformance.names)
    func conformance(name: String) async throws {
        try await Self.withRegistryFile { path in
            try await StoreConformance.cases[name]!(try SQLiteRegistryStore(path: path))
        }
    }

    /// A listing of many versions loads their tags, scores and parents with one range scan when their row ids are
    /// dense and with `IN` lists when they are sparse; either way every version gets exactly its own.
    @Test func longListingsCarryEachVersionsOwnTagsScoresAndParents() async throws {
        try await Self.withRegistryFile { path in
            let store = try SQLiteRegistryStore(path: path)
            for model in ["dense", "sparse", "other"] { try await StoreConformance.makeModel(store, model) }
            var expected: [String: [SemanticVersion: (tags: [String: String], scores: [String: Double], parents: [VersionKey])]] = [:]
            var previous: [String: VersionKey] = [:]
            func register(_ model: String, _ index: Int) async throws {
                var new = NewVersion()
                if index % 3 == 0 {
                    new.tags = ["i": "\(model)-\(index)"]
                    new.scores = ["f1": Double(index)]
                }
                if index % 5 == 0, let parent = previous[model] { new.parents = [parent] }
                let version = try await StoreConformance.register(store, model, new).version
                expected[model, default: [:]][version] = (new.tags, new.scores, new.parents)
                previous[model] = VersionKey(model: StoreConformance.name(model), version: version)
            }
            // "dense" alternates with "other": its row ids span twice its count (the range scan, which must drop
            // the other model's rows). "sparse" has three "other" versions after each of its own (IN lists).
            for index in 0..<70 {
                try await register("dense", index)
                try await register("other", index)
            }
            for index in 0..<70 {
                try await register("sparse", index)
                for other in 0..<3 { try await register("other", 100 + index * 3 + other) }
            }
            for model in ["dense", "sparse", "other"] {
                let listed = try await store.listVersions(StoreConformance.name(model), filter: .init(), page: .all).items
                #expect(listed.count == expected[model]?.count)
                for version in listed {
                    let want = expected[model]?[version.version]
                    #expect(version.tags == want?.tags, "\(model) \(version.version)")
                    #expect(version.scores == want?.scores, "\(model) \(version.version)")
                    #expect(version.parents == want?.parents, "\(model) \(version.version)")
                }
            }
        }
    }

    @Test func reopeningKeepsEverything() async throws {
        try await Self.withRegistryFile { path in
            do {
                let store = try SQLiteRegistryStore(path: path)
                try await StoreConformance.makeModel(store, "kept")
                _ = try await StoreConformance.register(store, "kept")
            }
            let reopened = try SQLiteRegistryStore(path: path)
            #expect(try await reopened.listVersions(.init(rawValue: "kept"), filter: .init(), page: .all).items.count == 1)
        }
    }

    /// Experiments, full runs (params, tags, NaN metrics, datasets, outputs), logged models and tracked files
    /// survive export → import into a fresh store unchanged.
    @Test func trackingDataRoundTripsThroughASnapshot() async throws {
        let source = try SQLiteRegistryStore.inMemory()
        let experiment = try await source.createExperiment(name: "churn", tags: ["team": "growth"])
        _ = try await source.createRun(
            NewRun(experimentID: experiment.id, name: "alpha", userID: "ana", startTime: 5, tags: ["k": "v"]), id: "run1")
        try await source.logRunData(
            id: "run1",
            RunDataBatch(
                metrics: [
                    TrackedMetric(key: "loss", value: 0.5, timestamp: 7, step: 1),
                    TrackedMetric(key: "odd", value: .nan, timestamp: 8, step: 0),
                ],
                params: [("lr", "0.1")]))
        try await source.logRunInputs(
            id: "run1", datasets: [DatasetInput(name: "train", digest: "abc", sourceType: "local", source: "/d", tags: ["mlflow.data.context": "training"])])
        let logged = try await source.createLoggedModel(
            NewLoggedModel(experimentID: experiment.id, name: "model", sourceRunID: "run1", modelType: "", tags: ["t": "1"], params: [:]),
            id: "m-1")
        try await source.logRunOutputs(id: "run1", models: [RunModelOutput(modelID: logged.id, step: 0)])
        _ = try await source.updateRun(id: "run1", RunUpdate(status: .finished, endTime: 9, name: nil))
        try await source.putTrackedFile(
            TrackedFile(path: logged.artifactRoot + "/MLmodel", size: 3, sha256: BlobDigest(rawValue: String(repeating: "c", count: 64))))
        let snapshot = try await source.exportSnapshot()

        let target = try SQLiteRegistryStore.inMemory()
        try await target.importSnapshot(snapshot, audit: AuditContext(actor: "t"))
        let restored = try await target.exportSnapshot()
        #expect(restored.tracking?.experiments.filter { $0.id != 0 } == snapshot.tracking?.experiments.filter { $0.id != 0 })
        #expect(restored.tracking?.loggedModels == snapshot.tracking?.loggedModels && restored.tracking?.files == snapshot.tracking?.files)
        #expect(restored.runs.map(\.details) == snapshot.runs.map(\.details))
        #expect(restored.runs.first?.metrics.count == 2)
        let run = try await target.run(id: "run1")
        #expect(run.params == ["lr": "0.1"] && run.info.status == .finished && run.outputs.map(\.modelID) == ["m-1"])
        #expect(run.metrics.first { $0.key == "odd" }?.value.isNaN == true)
        #expect(restored.digests.contains(BlobDigest(rawValue: String(repeating: "c", count: 64))))
    }
}
