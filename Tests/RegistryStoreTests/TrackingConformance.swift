import Foundation
import RegistryCore
import RegistryStore
import Testing

/// What every store must do for runs and MLflow-style registry operations; added to `StoreConformance.cases`.
enum TrackingConformance {
    typealias Case = StoreConformance.Case
    static let actor = StoreConformance.actor

    static let cases: [String: Case] = [
        "experiments": experiments, "runData": runData, "runSearch": runSearch, "trackedFiles": trackedFiles,
        "registrationNumbers": registrationNumbers, "mlflowRegistryOperations": mlflowRegistryOperations,
        "versionsInheritTheirRun": versionsInheritTheirRun,
    ]

    static func expectCode(_ code: RegistryError.Code, _ body: () async throws -> Void) async {
        await StoreConformance.expectCode(code, body)
    }

    static let experiments: Case = { store in
        let defaultExperiment = try await store.experiment(id: 0)
        #expect(defaultExperiment.name == "Default" && defaultExperiment.lifecycleStage == .active)
        let created = try await store.createExperiment(name: "churn", tags: ["team": "growth"])
        #expect(created.id > 0 && created.artifactLocation == "mlflow-artifacts:/\(created.id)" && created.tags == ["team": "growth"])
        await expectCode(.alreadyExists) { _ = try await store.createExperiment(name: "churn", tags: [:]) }
        await expectCode(.invalidArgument) { _ = try await store.createExperiment(name: "", tags: [:]) }
        try await store.renameExperiment(id: created.id, to: "churn-v2")
        #expect(try await store.experiment(named: "churn-v2").id == created.id)
        try await store.setExperimentLifecycle(id: created.id, .deleted)
        let active = try await store.searchExperiments(filter: .init(clauses: []), orderBy: [], view: .activeOnly, offset: 0, limit: 100)
        #expect(active.items.map(\.name) == ["Default"])
        let deleted = try await store.searchExperiments(filter: .init(clauses: []), orderBy: [], view: .deletedOnly, offset: 0, limit: 100)
        #expect(deleted.items.map(\.id) == [created.id])
        try await store.setExperimentLifecycle(id: created.id, .active)
        let byTag = try await store.searchExperiments(
            filter: try SearchFilter(parsing: "tags.team = 'growth'"), orderBy: [], view: .all, offset: 0, limit: 100)
        #expect(byTag.items.map(\.id) == [created.id])
        await expectCode(.notFound) { _ = try await store.experiment(id: 999) }
    }

    static let runData: Case = { store in
        let run = try await store.createRun(
            NewRun(experimentID: 0, name: "alpha", userID: "ana", startTime: 1_000, tags: ["team": "risk"]), id: "r1")
        #expect(run.info.status == .running && run.tags["mlflow.runName"] == "alpha" && run.info.startTime == 1_000)
        try await store.logRunData(
            id: "r1",
            RunDataBatch(
                metrics: [
                    TrackedMetric(key: "loss", value: 0.9, timestamp: 10, step: 0),
                    TrackedMetric(key: "loss", value: 0.5, timestamp: 20, step: 2),
                    TrackedMetric(key: "loss", value: 0.7, timestamp: 15, step: 1),
                    TrackedMetric(key: "loss", value: 0.7, timestamp: 15, step: 1),
                    TrackedMetric(key: "odd", value: .nan, timestamp: 5, step: 0),
                ],
                params: [("lr", "0.1")], tags: [("stage", "dev")]))
        // Same param value again is fine; a different one is refused and changes nothing.
        try await store.logRunData(id: "r1", RunDataBatch(params: [("lr", "0.1")]))
        await expectCode(.invalidArgument) { try await store.logRunData(id: "r1", RunDataBatch(params: [("lr", "0.2")])) }
        let loaded = try await store.run(id: "r1")
        #expect(loaded.params == ["lr": "0.1"] && loaded.tags["stage"] == "dev")
        let latest = Dictionary(uniqueKeysWithValues: loaded.metrics.map { ($0.key, $0) })
        #expect(latest["loss"]?.value == 0.5 && latest["loss"]?.step == 2)
        #expect(latest["odd"]?.value.isNaN == true)
        let history = try await store.metricHistory(runID: "r1", key: "loss", offset: 0, limit: 100)
        #expect(history.items.map(\.value) == [0.9, 0.7, 0.5] && !history.more)
        let firstPage = try await store.metricHistory(runID: "r1", key: "loss", offset: 0, limit: 2)
        #expect(firstPage.items.count == 2 && firstPage.more)
        // Renaming through the tag, ending, deleting.
        try await store.logRunData(id: "r1", RunDataBatch(tags: [("mlflow.runName", "beta")]))
        let ended = try await store.updateRun(id: "r1", RunUpdate(status: .finished, endTime: 2_000, name: nil))
        #expect(ended.name == "beta" && ended.status == .finished && ended.endTime == 2_000)
        try await store.setRunLifecycle(id: "r1", .deleted)
        await expectCode(.invalidArgument) {
            try await store.logRunData(id: "r1", RunDataBatch(metrics: [TrackedMetric(key: "loss", value: 1, timestamp: 1, step: 9)]))
        }
        await expectCode(.notFound) { _ = try await store.run(id: "missing") }
        await expectCode(.invalidArgument) {
            try await store.logRunData(id: "r1", RunDataBatch(params: Array(repeating: ("k", "v"), count: 2)))
        }
    }

    static let runSearch: Case = { store in
        for (id, accuracy, lr) in [("a", 0.9, "0.1"), ("b", 0.7, "0.2"), ("c", 0.95, "0.1")] {
            _ = try await store.createRun(NewRun(experimentID: 0, name: "run-\(id)", userID: "u", startTime: nil, tags: [:]), id: id)
            try await store.logRunData(
                id: id, RunDataBatch(metrics: [TrackedMetric(key: "acc", value: accuracy, timestamp: 1, step: 0)], params: [("lr", lr)]))
        }
        _ = try await store.createRun(NewRun(experimentID: 0, name: "Run-d", userID: "u", startTime: nil, tags: [:]), id: "d")
        func search(_ filter: String, order: [String] = []) async throws -> [String] {
            try await store.searchRuns(
                experimentIDs: [0], filter: SearchFilter(parsing: filter), orderBy: order.map(SearchOrder.init(parsing:)),
                view: .activeOnly, offset: 0, limit: 100
            ).items.map(\.info.id)
        }
        #expect(try await search("metrics.acc > 0.8", order: ["metrics.acc DESC"]) == ["c", "a"])
        #expect(try await search("params.lr = '0.1' AND metrics.acc < 0.92") == ["a"])
        // LIKE is case-sensitive, ILIKE is not.
        #expect(Set(try await search("attributes.run_name LIKE 'run-%'")) == ["a", "b", "c"])
        #expect(Set(try await search("run_name ILIKE 'run-%'")) == ["a", "b", "c", "d"])
        // Runs without the key sort last in both directions.
        #expect(try await search("", order: ["metrics.acc ASC"]) == ["b", "a", "c", "d"])
        #expect(try await search("", order: ["metrics.acc DESC"]) == ["c", "a", "b", "d"])
        await expectCode(.invalidArgument) { _ = try await search("bogus.x = 1") }
        await expectCode(.invalidArgument) { _ = try await search("metrics.acc > 0.5 OR metrics.acc < 0.1") }
    }

    static let trackedFiles: Case = { store in
        let digest = BlobDigest(rawValue: String(repeating: "a", count: 64))
        for path in ["1/r/artifacts/model/MLmodel", "1/r/artifacts/model/data/w.bin", "1/r/artifacts/notes.txt", "1/r0/x"] {
            try await store.putTrackedFile(TrackedFile(path: path, size: Int64(path.count), sha256: digest))
        }
        let root = try await store.listTrackedDirectory("1/r/artifacts")
        #expect(root == [
            TrackedListing(name: "model", isDirectory: true, size: nil),
            TrackedListing(name: "notes.txt", isDirectory: false, size: 23),
        ])
        #expect(try await store.trackedFiles(under: "1/r/artifacts/model").map(\.path) == ["MLmodel", "data/w.bin"])
        // A sibling whose name extends the directory's is not inside it.
        #expect(try await store.trackedFiles(under: "1/r").count == 3)
        #expect(try await store.deleteTracked(path: "1/r/artifacts/model") == 2)
        #expect(try await store.trackedFile(path: "1/r/artifacts/model/MLmodel") == nil)
        #expect(try await store.referencedDigests().contains(digest))
    }

    static let registrationNumbers: Case = { store in
        try await StoreConformance.makeModel(store, "nums")
        let first = try await StoreConformance.register(store, "nums")
        let second = try await StoreConformance.register(store, "nums")
        #expect((first.number, second.number) == (1, 2))
        #expect(try await store.version(StoreConformance.name("nums"), .number(2)).version == second.version)
        try await store.deleteVersion(StoreConformance.name("nums"), second.version, audit: actor)
        let third = try await StoreConformance.register(store, "nums")
        #expect(third.number == 3, "numbers are never reused after a delete")
        await expectCode(.notFound) { _ = try await store.version(StoreConformance.name("nums"), .number(2)) }
        // A version registered with files already in the blob store gets them as its manifest at once.
        let digest = BlobDigest(rawValue: String(repeating: "b", count: 64))
        let withFiles = try await StoreConformance.register(
            store, "nums",
            NewVersion(
                status: .ready,
                artifacts: [ArtifactEntry(path: try ArtifactPath(validating: "MLmodel"), size: 5, sha256: digest, createdAt: Date())]))
        #expect(try await store.artifacts(StoreConformance.name("nums"), withFiles.version).map(\.sha256) == [digest])
    }

    /// A version registered with `inheritsRun` carries its run's params, git commit and datasets, read in the
    /// registering transaction; a run whose data a version cannot carry is refused and registers nothing.
    static let versionsInheritTheirRun: Case = { store in
        let model = StoreConformance.name("heir")
        try await StoreConformance.makeModel(store, "heir")
        _ = try await store.createRun(NewRun(experimentID: 0, name: "train", userID: "ana", startTime: 1, tags: [:]), id: "heir-run")
        try await store.logRunData(
            id: "heir-run",
            RunDataBatch(params: [("lr", "0.1"), ("depth", "4")], tags: [("mlflow.source.git.commit", "abc123")]))
        try await store.logRunInputs(
            id: "heir-run",
            datasets: [
                // MLflow's own digest: 8 hex characters of a sample, not a SHA-256.
                DatasetInput(
                    name: "train.csv", digest: "3e1b1f4c", sourceType: "local", source: "s3://data/train.csv",
                    tags: ["mlflow.data.context": "training"]),
                DatasetInput(
                    name: "eval.parquet", digest: String(repeating: "AB", count: 32), sourceType: "local",
                    source: "s3://data/eval.parquet"),
            ])
        var new = NewVersion(status: .ready, sourceURI: "s3://bucket/model", runID: "heir-run")
        new.inheritsRun = true
        let registered = try await StoreConformance.register(store, "heir", new)
        #expect(registered.params == ["lr": .string("0.1"), "depth": .string("4")])
        #expect(registered.gitCommit == "abc123")
        #expect(
            registered.datasets == [
                DatasetRef(name: "train.csv", uri: "s3://data/train.csv", sha256: nil, role: "training"),
                DatasetRef(name: "eval.parquet", uri: "s3://data/eval.parquet", sha256: String(repeating: "ab", count: 32)),
            ])
        #expect(try await store.version(model, .version(registered.version)) == registered)

        // Without the flag the version carries only what it was given.
        let plain = try await StoreConformance.register(store, "heir", NewVersion(status: .ready, runID: "heir-run"))
        #expect(plain.params.isEmpty && plain.gitCommit == nil && plain.datasets.isEmpty && plain.runID == "heir-run")

        _ = try await store.createRun(NewRun(experimentID: 0, name: "odd", userID: "ana", startTime: 1, tags: [:]), id: "odd-run")
        try await store.logRunData(
            id: "odd-run", RunDataBatch(tags: [("mlflow.source.git.commit", String(repeating: "x", count: 300))]))
        var odd = NewVersion(status: .ready, runID: "odd-run")
        odd.inheritsRun = true
        await expectCode(.invalidArgument) { _ = try await StoreConformance.register(store, "heir", odd) }
        #expect(try await store.listVersions(model, filter: .init(), page: .all).items.count == 2)
    }

    static let mlflowRegistryOperations: Case = { store in
        let model = StoreConformance.name("reg")
        try await StoreConformance.makeModel(store, "reg")
        let one = try await StoreConformance.register(store, "reg", NewVersion(status: .ready))
        let two = try await StoreConformance.register(store, "reg", NewVersion(status: .ready))
        _ = try await store.transitionStage(model, one.version, to: .staging, archiveExisting: false, audit: actor)
        _ = try await store.transitionStage(model, two.version, to: .staging, archiveExisting: true, audit: actor)
        #expect(try await store.version(model, .number(1)).stage == .archived)
        let latest = try await store.latestVersions(model, stages: nil)
        #expect(latest.map(\.number) == [1, 2] && latest.map(\.stage) == [.archived, .staging])
        try await store.setVersionTag(model, one.version, key: "k", value: "v", audit: actor)
        try await store.setModelTag(model, key: "owner", value: "ana", audit: actor)
        let found = try await store.searchVersions(
            filter: SearchFilter(parsing: "name = 'reg' AND tags.k = 'v'"), orderBy: [], offset: 0, limit: 10)
        #expect(found.items.map(\.number) == [1])
        let models = try await store.searchModels(filter: SearchFilter(parsing: "tags.owner = 'ana'"), orderBy: [], offset: 0, limit: 10)
        #expect(models.items.map(\.name) == [model])
        try await store.setVersionTag(model, one.version, key: "k", value: nil, audit: actor)
        #expect(try await store.version(model, .number(1)).tags.isEmpty)
        // Rename moves versions, tags and the audit log.
        let renamed = StoreConformance.name("reg2")
        _ = try await store.renameModel(model, to: renamed, audit: actor)
        #expect(try await store.version(renamed, .number(2)).version == two.version)
        #expect(try await store.auditEntries(renamed, page: .all).items.contains { $0.action == "model.create" })
        // Removing an alias is recorded as an undeploy.
        _ = try await store.deploy(renamed, version: two.version, environment: EnvironmentName(rawValue: "champion"), audit: actor)
        let removed = try await store.undeploy(renamed, environment: EnvironmentName(rawValue: "champion"), audit: actor)
        #expect(removed?.action == .undeploy && removed?.fromVersion == two.version && removed?.toVersion == nil)
        #expect(try await store.aliases(renamed).isEmpty)
        #expect(try await store.undeploy(renamed, environment: EnvironmentName(rawValue: "champion"), audit: actor) == nil)
    }
}
