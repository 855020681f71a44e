import Foundation
import RegistryCore
import RegistryStore
import Testing

/// The behaviour every `RegistryStore` must have. Each case gets a fresh, empty store; run the suite against
/// every implementation (see `SQLiteStoreConformanceTests`).
enum StoreConformance {
    typealias Case = @Sendable (any RegistryStore) async throws -> Void

    static let cases: [String: Case] = [
        "models": models, "modelListing": modelListing, "versionNumbering": versionNumbering,
        "concurrentRegistrations": concurrentRegistrations, "versionFieldsRoundTrip": versionFieldsRoundTrip,
        "lifecycle": lifecycle, "artifactsSeal": artifactsSeal, "history": history, "scores": scores,
        "deployAndRollback": deployAndRollback, "deleteRules": deleteRules, "lineage": lineage, "best": best,
        "audit": audit, "snapshotRoundTrip": snapshotRoundTrip, "overviews": overviews,
        "servingRecordsRoundTrip": servingRecordsRoundTrip,
    ].merging(TrackingConformance.cases) { first, _ in first }.merging(TokenConformance.cases) { first, _ in first }
        .merging(DriftConformance.cases) { first, _ in first }.merging(BenchmarkConformance.cases) { first, _ in first }

    static let names = cases.keys.sorted()

    static let actor = AuditContext(actor: "tester", reason: "because")

    static func name(_ text: String) -> ModelName { ModelName(rawValue: text) }
    static func v(_ text: String) -> SemanticVersion { (try? SemanticVersion(parsing: text)) ?? .initial }

    @discardableResult
    static func makeModel(_ store: any RegistryStore, _ text: String, metric: String? = nil) async throws -> RegisteredModel {
        try await store.createModel(
            NewModel(name: name(text), description: "d", owner: "o", task: "classification", tags: ["team": "risk"], primaryMetric: metric),
            audit: actor)
    }

    static func register(_ store: any RegistryStore, _ model: String, _ new: NewVersion = NewVersion()) async throws -> ModelVersion {
        try await store.registerVersion(name(model), new, audit: actor)
    }

    static func expectCode(_ code: RegistryError.Code, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected \(code) but the call succeeded")
        } catch let error as RegistryError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("expected a RegistryError, got \(error)")
        }
    }

    static let models: Case = { store in
        let created = try await makeModel(store, "fraud", metric: "f1")
        #expect(created.tags == ["team": "risk"] && created.primaryMetric == "f1" && created.defaultBump == .minor)
        await expectCode(.alreadyExists) { try await makeModel(store, "fraud") }
        await expectCode(.notFound) { _ = try await store.model(named: name("nope")) }
        let updated = try await store.updateModel(
            name("fraud"), patch: ModelPatch(description: "new", tags: ["a": "b"], primaryMetric: .some(nil), defaultBump: .patch),
            audit: actor)
        #expect(updated.description == "new" && updated.tags == ["a": "b"] && updated.primaryMetric == nil)
        #expect(try await store.model(named: name("fraud")) == updated)
        try await store.deleteModel(name("fraud"), audit: actor)
        await expectCode(.notFound) { _ = try await store.model(named: name("fraud")) }
    }

    static let modelListing: Case = { store in
        for index in 0..<25 { try await makeModel(store, String(format: "model-%02d", index)) }
        _ = try await store.createModel(NewModel(name: name("other_x"), tags: ["stage": "prod"]), audit: actor)
        var seen: [String] = []
        var token: String?
        repeat {
            let page = try await store.listModels(filter: .init(), page: try PageRequest(limit: 10, token: token))
            #expect(page.items.count <= 10)
            seen += page.items.map(\.name.rawValue)
            token = page.nextPageToken
        } while token != nil
        #expect(seen.count == 26 && seen == seen.sorted())
        let filtered = try await store.listModels(filter: ModelFilter(nameContains: "EL-1"), page: .all)
        #expect(filtered.items.count == 10)
        let underscore = try await store.listModels(filter: ModelFilter(nameContains: "_"), page: .all)
        #expect(underscore.items.map(\.name.rawValue) == ["other_x"], "LIKE wildcards in the filter are literal")
        let tagged = try await store.listModels(filter: ModelFilter(tag: TagFilter(key: "stage", value: "prod")), page: .all)
        #expect(tagged.items.map(\.name.rawValue) == ["other_x"])
        #expect(try await store.listModels(filter: ModelFilter(tag: TagFilter(key: "team")), page: .all).items.count == 25)
    }

    static let versionNumbering: Case = { store in
        try await makeModel(store, "m")
        #expect(try await register(store, "m").version.description == "1.0.0")
        #expect(try await register(store, "m").version.description == "1.1.0")
        #expect(try await register(store, "m", NewVersion(request: .bump(.patch))).version.description == "1.1.1")
        #expect(try await register(store, "m", NewVersion(request: .bump(.major))).version.description == "2.0.0")
        #expect(try await register(store, "m", NewVersion(request: .explicit(v("2.5.0")))).version.description == "2.5.0")
        await expectCode(.alreadyExists) { _ = try await register(store, "m", NewVersion(request: .explicit(v("2.4.0")))) }
        await expectCode(.notFound) { _ = try await register(store, "missing") }
        let listed = try await store.listVersions(name("m"), filter: .init(), page: .all).items.map(\.version.description)
        #expect(listed == ["2.5.0", "2.0.0", "1.1.1", "1.1.0", "1.0.0"])
        let paged = try await store.listVersions(name("m"), filter: .init(), page: try PageRequest(limit: 2))
        #expect(paged.items.count == 2 && paged.nextPageToken != nil)
        let rest = try await store.listVersions(name("m"), filter: .init(), page: try PageRequest(limit: 10, token: paged.nextPageToken))
        #expect(rest.items.map(\.version.description) == ["1.1.1", "1.1.0", "1.0.0"])
    }

    static let concurrentRegistrations: Case = { store in
        try await makeModel(store, "busy")
        let versions = try await withThrowingTaskGroup(of: SemanticVersion.self) { group in
            for _ in 0..<32 {
                group.addTask { try await store.registerVersion(name("busy"), NewVersion(request: .bump(.patch)), audit: actor).version }
            }
            var all: [SemanticVersion] = []
            for try await version in group { all.append(version) }
            return all
        }
        #expect(Set(versions).count == 32, "no two registrations got the same version")
        #expect(versions.sorted().map(\.patch) == Array(0..<32), "the versions are consecutive: no gaps")
    }

    static let versionFieldsRoundTrip: Case = { store in
        try await makeModel(store, "base")
        let parent = try await register(store, "base")
        try await makeModel(store, "m")
        let new = NewVersion(
            status: .training, description: "desc", tags: ["k": "v"], framework: "sklearn", baseModel: "bert",
            sourceURI: "git://x", gitCommit: "abc123", params: ["lr": .number(0.01), "layers": .array([.number(1), .string("x")])],
            scores: ["f1": 0.9], datasets: [DatasetRef(name: "train", uri: "s3://b/t", sha256: String(repeating: "a", count: 64), rows: 10)],
            durationSeconds: 12.5, cost: 3.2, hardware: "2xA100", signature: .object(["inputs": .array([])]),
            parents: [parent.key])
        let registered = try await register(store, "m", new)
        let read = try await store.version(name("m"), .version(registered.version))
        #expect(read == registered)
        #expect(read.params == new.params && read.datasets == new.datasets && read.parents == [parent.key])
        #expect(read.signature == new.signature && read.createdBy == "tester" && read.status == .training)
        #expect(read.durationSeconds == 12.5 && read.cost == 3.2 && read.gitCommit == "abc123")
        await expectCode(.notFound) {
            _ = try await register(store, "m", NewVersion(parents: [VersionKey(model: name("base"), version: v("9.0.0"))]))
        }
    }

    static let lifecycle: Case = { store in
        try await makeModel(store, "m")
        let version = try await register(store, "m").version
        await expectCode(.failedPrecondition) {
            _ = try await store.updateVersion(name("m"), version, patch: VersionPatch(status: .deprecated), audit: actor)
        }
        let ready = try await store.updateVersion(name("m"), version, patch: VersionPatch(description: "x", status: .ready), audit: actor)
        #expect(ready.status == .ready && ready.description == "x")
        await expectCode(.failedPrecondition) {
            _ = try await store.updateVersion(name("m"), version, patch: VersionPatch(status: .draft), audit: actor)
        }
        _ = try await store.updateVersion(name("m"), version, patch: VersionPatch(status: .archived), audit: actor)
        await expectCode(.failedPrecondition) {
            _ = try await store.updateVersion(name("m"), version, patch: VersionPatch(status: .ready), audit: actor)
        }
        let filtered = try await store.listVersions(name("m"), filter: VersionFilter(status: .archived), page: .all)
        #expect(filtered.items.count == 1)
    }

    static let artifactsSeal: Case = { store in
        try await makeModel(store, "m")
        let version = try await register(store, "m").version
        let digest = BlobDigest(rawValue: String(repeating: "b", count: 64))
        let entry = ArtifactEntry(path: ArtifactPath(rawValue: "model.onnx"), size: 42, sha256: digest, createdAt: Date(timeIntervalSince1970: 1))
        try await store.addArtifact(name("m"), version, entry: entry, audit: actor)
        #expect(try await store.artifacts(name("m"), version) == [entry])
        #expect(try await store.artifact(name("m"), version, path: entry.path) == entry)
        #expect(try await store.referencedDigests() == [digest])
        _ = try await store.updateVersion(name("m"), version, patch: VersionPatch(status: .ready), audit: actor)
        await expectCode(.failedPrecondition) { try await store.addArtifact(name("m"), version, entry: entry, audit: actor) }
        await expectCode(.notFound) { _ = try await store.artifact(name("m"), version, path: ArtifactPath(rawValue: "nope")) }
    }

    static let history: Case = { store in
        try await makeModel(store, "m")
        let version = try await register(store, "m").version
        #expect(try await store.history(name("m"), version, metric: nil).isEmpty)
        let points = (0..<3000).map { (index: Int) -> MetricPoint in
            let name = index % 2 == 0 ? "loss" : "acc"
            return MetricPoint(name: name, step: Int64(index / 2), value: Double(index), timestamp: Int64(index))
        }
        #expect(try await store.appendHistory(name("m"), version, points: points) == 3000)
        _ = try await store.appendHistory(name("m"), version, points: [MetricPoint(name: "loss", step: 5000, value: 1, timestamp: 1)])
        let loss = try await store.history(name("m"), version, metric: "loss")
        #expect(loss.count == 1501 && loss.allSatisfy { $0.name == "loss" } && loss.map(\.step) == loss.map(\.step).sorted())
        #expect(try await store.history(name("m"), version, metric: nil).count == 3001)
        #expect(try await store.version(name("m"), .version(version)).runID != nil, "a run is created on first append")
        await expectCode(.invalidArgument) {
            _ = try await store.appendHistory(name("m"), version, points: [MetricPoint(name: "x", step: 0, value: .nan, timestamp: 0)])
        }
        #expect(try await store.history(name("m"), version, metric: "x").isEmpty, "a refused batch stores nothing")

        // The same data as columns: one series per name, in name order, points in (step, timestamp) order, and
        // summaries equal to those of the points.
        _ = try await store.appendHistory(name("m"), version, points: [MetricPoint(name: "loss", step: 3, value: -1, timestamp: 99)])
        let series = try await store.historySeries(name("m"), version)
        #expect(series.map(\.name) == ["acc", "loss"])
        let all = try await store.history(name("m"), version, metric: nil)
        for metric in series {
            let points = all.filter { $0.name == metric.name }
            #expect(metric.steps == points.map(\.step) && metric.values == points.map(\.value))
            #expect(metric.summary(direction: .minimize) == MetricSummary.summarize(points, direction: { _ in .minimize }).first)
        }
        #expect(series[1].steps.prefix(5) == [0, 1, 2, 3, 3] && series[1].values[4] == -1)
    }

    static let overviews: Case = { store in
        try await makeModel(store, "a")
        try await makeModel(store, "b")
        _ = try await register(store, "a", NewVersion(status: .ready, scores: ["f1": 0.7]))
        _ = try await register(store, "a", NewVersion(status: .ready, scores: ["f1": 0.9]))
        _ = try await register(store, "a", NewVersion(scores: ["f1": 0.8]))
        var a = try await store.model(named: name("a"))
        a.primaryMetric = "f1"
        let b = try await store.model(named: name("b"))
        let result = try await store.overviews([a, b])
        #expect(result[0].latest?.version.description == "1.2.0")
        #expect(result[0].bestCandidate?.version.description == "1.1.0")
        #expect(result[1] == ModelOverview(latest: nil, aliases: [], bestCandidate: nil))
    }

    static let scores: Case = { store in
        try await makeModel(store, "m")
        let version = try await register(store, "m", NewVersion(scores: ["a": 1])).version
        var updated = try await store.setScores(name("m"), version, scores: ["b": 2], mode: .merge, audit: actor)
        #expect(updated.scores == ["a": 1, "b": 2])
        updated = try await store.setScores(name("m"), version, scores: ["c": 3], mode: .replace, audit: actor)
        #expect(updated.scores == ["c": 3])
        let changes = try await store.scoreChanges(name("m"), version)
        #expect(changes.map(\.name) == ["a", "b", "a", "b", "c"])
        #expect(changes[2].value == nil && changes.allSatisfy { $0.actor == "tester" })
    }

    static let deployAndRollback: Case = { store in
        try await makeModel(store, "m")
        var versions: [SemanticVersion] = []
        for _ in 0..<3 { versions.append(try await register(store, "m", NewVersion(status: .ready)).version) }
        let draft = try await register(store, "m").version
        await expectCode(.failedPrecondition) { _ = try await store.deploy(name("m"), version: draft, environment: .production, audit: actor) }
        let first = try await store.deploy(name("m"), version: versions[0], environment: .production, audit: actor)
        #expect(first.fromVersion == nil && first.toVersion == versions[0] && first.action == .deploy && first.reason == "because")
        _ = try await store.deploy(name("m"), version: versions[1], environment: .production, audit: actor)
        #expect(try await store.version(name("m"), .version(versions[0])).status == .deprecated)
        _ = try await store.deploy(name("m"), version: versions[2], environment: .production, audit: actor)
        #expect(try await store.version(name("m"), .alias(.production)).version == versions[2])
        let back = try await store.rollback(name("m"), environment: .production, to: nil, audit: actor)
        #expect(back.toVersion == versions[1] && back.fromVersion == versions[2] && back.action == .rollback)
        let back2 = try await store.rollback(name("m"), environment: .production, to: nil, audit: actor)
        #expect(back2.toVersion == versions[0])
        #expect(try await store.version(name("m"), .version(versions[0])).status == .ready, "a rollback reinstates a deprecated version")
        await expectCode(.failedPrecondition) { _ = try await store.rollback(name("m"), environment: .production, to: nil, audit: actor) }
        await expectCode(.failedPrecondition) {
            _ = try await store.rollback(name("m"), environment: EnvironmentName(rawValue: "staging"), to: nil, audit: actor)
        }
        let named = try await store.rollback(name("m"), environment: .production, to: versions[2], audit: actor)
        #expect(named.toVersion == versions[2])
        let staging = EnvironmentName(rawValue: "staging")
        _ = try await store.deploy(name("m"), version: try await readyAgain(store, versions[1]), environment: staging, audit: actor)
        #expect(try await store.aliases(name("m")).map(\.environment) == [.production, staging])
        let all = try await store.deployments(name("m"), environment: nil, page: .all)
        #expect(all.items.count == 7 && all.items.first?.environment == staging, "newest first")
        #expect(try await store.deployments(name("m"), environment: .production, page: .all).items.count == 6)
        let page = try await store.deployments(name("m"), environment: nil, page: try PageRequest(limit: 4))
        let next = try await store.deployments(name("m"), environment: nil, page: try PageRequest(limit: 4, token: page.nextPageToken))
        #expect(page.items.count == 4 && next.items.count == 3 && next.nextPageToken == nil)
    }

    /// Brings a deprecated version back to ready so it can be deployed.
    static func readyAgain(_ store: any RegistryStore, _ version: SemanticVersion) async throws -> SemanticVersion {
        try await store.updateVersion(name("m"), version, patch: VersionPatch(status: .ready), audit: actor).version
    }

    static let deleteRules: Case = { store in
        try await makeModel(store, "m")
        let parent = try await register(store, "m", NewVersion(status: .ready)).version
        let child = try await register(store, "m", NewVersion(parents: [VersionKey(model: name("m"), version: parent)])).version
        _ = try await store.deploy(name("m"), version: parent, environment: .production, audit: actor)
        await expectCode(.failedPrecondition) { try await store.deleteVersion(name("m"), parent, audit: actor) }
        await expectCode(.failedPrecondition) { try await store.deleteModel(name("m"), audit: actor) }
        await expectCode(.failedPrecondition) {
            _ = try await store.updateVersion(name("m"), parent, patch: VersionPatch(status: .archived), audit: actor)
        }
        try await store.deleteVersion(name("m"), child, audit: actor)
        await expectCode(.notFound) { _ = try await store.version(name("m"), .version(child)) }
        // A deleted version's number is never handed out again, by a bump or explicitly, nor after a round trip.
        let next = try await register(store, "m").version
        #expect(next > child && next != child, "got \(next) after deleting \(child)")
        await expectCode(.alreadyExists) { _ = try await register(store, "m", NewVersion(request: .explicit(child))) }
        try await store.deleteVersion(name("m"), next, audit: actor)
        #expect(try await store.exportSnapshot().models.first?.highestVersion == next)
    }

    static let lineage: Case = { store in
        try await makeModel(store, "a")
        try await makeModel(store, "b")
        let root = try await register(store, "a").version
        let mid = try await register(store, "b", NewVersion(parents: [VersionKey(model: name("a"), version: root)])).version
        let children = try await store.children(of: VersionKey(model: name("a"), version: root))
        #expect(children == [VersionKey(model: name("b"), version: mid)])
        await expectCode(.failedPrecondition) { try await store.deleteModel(name("a"), audit: actor) }
    }

    static let best: Case = { store in
        try await makeModel(store, "m", metric: "f1")
        let low = try await register(store, "m", NewVersion(scores: ["f1": 0.7])).version
        let high = try await register(store, "m", NewVersion(scores: ["f1": 0.9])).version
        let tie = try await register(store, "m", NewVersion(scores: ["f1": 0.9])).version
        #expect(try await store.topScoring(name("m"), metric: "f1", direction: .maximize)?.version == tie)
        #expect(try await store.topScoring(name("m"), metric: "f1", direction: .minimize)?.version == low)
        _ = try await store.updateVersion(name("m"), tie, patch: VersionPatch(status: .archived), audit: actor)
        #expect(try await store.topScoring(name("m"), metric: "f1", direction: .maximize)?.version == high)
        #expect(try await store.topScoring(name("m"), metric: "auc", direction: .maximize) == nil)
        let pinned = try await store.pinBest(name("m"), version: low, audit: actor)
        #expect(pinned.pinnedBest == low)
        await expectCode(.failedPrecondition) { _ = try await store.pinBest(name("m"), version: tie, audit: actor) }
        #expect(try await store.pinBest(name("m"), version: nil, audit: actor).pinnedBest == nil)
    }

    static let audit: Case = { store in
        try await makeModel(store, "m")
        let version = try await register(store, "m", NewVersion(status: .ready)).version
        _ = try await store.deploy(name("m"), version: version, environment: .production, audit: AuditContext(actor: "alice", reason: "ship it"))
        let entries = try await store.auditEntries(name("m"), page: .all).items
        #expect(entries.map(\.action) == ["deploy", "version.register", "model.create"])
        #expect(entries[0].actor == "alice" && entries[0].reason == "ship it" && entries[0].details["environment"] == "production")
        let page = try await store.auditEntries(name("m"), page: try PageRequest(limit: 2))
        #expect(page.items.count == 2 && page.nextPageToken != nil)
        await expectCode(.notFound) { _ = try await store.auditEntries(name("nope"), page: .all) }
    }

    static let snapshotRoundTrip: Case = { store in
        try await makeModel(store, "a", metric: "f1")
        try await makeModel(store, "b")
        let one = try await register(store, "a", NewVersion(status: .ready, params: ["x": .number(1)], scores: ["f1": 0.5])).version
        let two = try await register(store, "b", NewVersion(status: .ready, parents: [VersionKey(model: name("a"), version: one)])).version
        _ = try await store.appendHistory(name("a"), one, points: [MetricPoint(name: "loss", step: 1, value: 0.5, timestamp: 10)])
        _ = try await store.deploy(name("a"), version: one, environment: .production, audit: actor)
        _ = try await store.setScores(name("b"), two, scores: ["auc": 0.7], mode: .merge, audit: actor)
        _ = try await store.setScores(name("a"), one, scores: ["f1": 0.6], mode: .merge, audit: actor)
        let snapshot = try await store.exportSnapshot()
        #expect(snapshot.models.count == 2 && snapshot.runs.count == 1)
        await expectCode(.alreadyExists) { try await store.importSnapshot(snapshot, audit: actor) }
        try await store.deleteModel(name("b"), audit: actor)
        var partial = snapshot
        partial.models = snapshot.models.filter { $0.model.name == name("b") }
        partial.runs = []
        partial.models[0].highestVersion = v("7.0.0")  // versions above the exported ones had been deleted
        try await store.importSnapshot(partial, audit: actor)
        let restored = try await store.exportSnapshot()
        let before = snapshot.models.first { $0.model.name == name("b") }
        let after = restored.models.first { $0.model.name == name("b") }
        #expect(after?.model == before?.model && after?.versions == before?.versions && after?.aliases == before?.aliases)
        #expect(after?.deployments.map(\.toVersion) == before?.deployments.map(\.toVersion))
        #expect(after?.audit.last?.action == "registry.import")
        #expect(after?.highestVersion == v("7.0.0"))
        #expect(try await register(store, "b").version > v("7.0.0"), "an import keeps deleted numbers unused")
    }

    /// What decides how a model serves travels with it: policy revisions, verdicts, limits and traffic.
    static let servingRecordsRoundTrip: Case = { store in
        try await makeModel(store, "a")
        let one = try await register(store, "a", NewVersion(status: .ready, scores: ["f1_score": 0.9])).version
        let two = try await register(store, "a", NewVersion(status: .ready)).version
        _ = try await store.deploy(name("a"), version: one, environment: .production, audit: actor)
        _ = try await store.setValidationPolicy(name("a"), ValidationPolicy(minScore: 0.7), audit: actor)
        let second = try await store.setValidationPolicy(name("a"), .default, audit: actor)
        #expect(second.revision == 2 && second.updatedBy == "tester")
        #expect(try await store.validationPolicy(name("a")) == second)
        let report = ValidationReport(
            model: name("a"), version: two, policyRevision: 2, environment: .production, baseline: one, passed: false,
            score: 0.8, checks: [.init(name: "metric:f1_score", kind: .metric, outcome: .error, observed: 0.4, threshold: 0.5, message: "low")],
            validatedAt: Date(timeIntervalSince1970: 1_765_000_000), validatedBy: "tester")
        try await store.addValidationReport(report)
        #expect(try await store.validationReport(name("a"), two) == report)
        try await store.setServingLimits(name("a"), limits: ServingLimits(maxErrorRate: 0.2), audit: actor)
        try await store.setTraffic(
            name("a"), environment: .production, policy: TrafficPolicy(shares: [.init(version: two, percent: 10)]), audit: actor)
        let attempt = try await store.addImportRecord(
            ImportRecord(
                source: "file:///training/a-1", model: name("a"), version: two,
                files: [.init(path: "metadata.json", size: 2, sha256: BlobDigest(rawValue: String(repeating: "d", count: 64)))],
                contentSHA256: "c", actor: "tester", startedAt: Date(timeIntervalSince1970: 1_765_000_000), durationSeconds: 0.5,
                outcome: .imported, reason: nil, validation: report))
        #expect(try await store.importRecord(id: attempt.id) == attempt)
        #expect(try await store.importRecords(ImportFilter(source: "file:///training/a-1"), page: .all).items == [attempt])
        let snapshot = try await store.exportSnapshot()
        #expect(snapshot.imports == [attempt])
        _ = try await store.undeploy(name("a"), environment: .production, audit: actor)
        #expect(try await store.traffic(name("a")).isEmpty, "an undeploy clears the environment's shares")
        try await store.deleteModel(name("a"), audit: actor)
        try await store.importSnapshot(snapshot, audit: actor)
        let restored = try await store.exportSnapshot().models[0]
        #expect(restored.policies == snapshot.models[0].policies && restored.policies?.count == 2)
        #expect(restored.versions.map(\.validations) == snapshot.models[0].versions.map(\.validations))
        #expect(restored.servingLimits?.maxErrorRate == 0.2 && restored.traffic == snapshot.models[0].traffic)
        #expect(try await store.validationReport(name("a"), two) == report)
        let imports = try await store.importRecords(ImportFilter(model: name("a")), page: .all).items
        #expect(imports.count == 2 && imports.allSatisfy { $0.source == attempt.source }, "the export's record is imported once more")
    }
}
