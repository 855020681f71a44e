import AsyncHTTPClient
import Crypto
import Foundation
import FuzzSupport
import NIOCore
import NIOHTTP1
import RegistryCore
import RegistryStore
import Testing

/// Kills the server with SIGKILL at random moments of a mixed workload (registrations with uploads, status
/// changes, deploys, score updates, MLflow log-batch, training-folder imports), restarts it on the same data
/// directory, and checks the registry's invariants after every restart: version numbers without gaps or
/// duplicates, every manifest entry's blob complete, no partial file visible as a blob, every alias on an existing
/// version, the audit log agreeing with the state, every imported version whole (all its files and its history)
/// and no folder imported twice. `MODELYARD_SOAK_KILLS` (default 10) and `MODELYARD_SOAK_SEED` set the run; `scripts/crash-soak.sh`
/// runs 200 kills.
@Suite(.serialized) struct CrashConsistencyTests {
    @Test func sigkillAtRandomMomentsOfAMixedWorkloadLeavesTheRegistryConsistent() async throws {
        let environment = ProcessInfo.processInfo.environment
        let kills = environment["MODELYARD_SOAK_KILLS"].flatMap(Int.init) ?? 10
        var random = SplitMix64(state: environment["MODELYARD_SOAK_SEED"].flatMap(UInt64.init) ?? 20_261_207)
        let data = try temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: data) }
        let http = HTTPClient.shared

        var killedDuringWork = 0
        var runID: String?
        var verified: Set<BlobDigest> = []
        var imported = 0
        for round in 0..<kills {
            let server = try ServerProcess(dataDirectory: data)
            if round == 0 {
                _ = try await Self.send(http, server, .POST, "/api/v1/models", body: #"{"name": "crash", "default_bump": "patch"}"#)
                let run = try await Self.send(http, server, .POST, "/api/2.0/mlflow/runs/create", body: #"{"experiment_id": "0"}"#)
                runID = ((try? JSONSerialization.jsonObject(with: run) as? [String: Any])?["run"] as? [String: Any])
                    .flatMap { ($0["info"] as? [String: Any])?["run_id"] as? String }
            }
            let seed = random.next()
            let run = runID
            let worker = Task { try await Self.workload(http, server, round: round, seed: seed, runID: run) }
            try await Task.sleep(for: .milliseconds(150 + Int(random.next() % 900)))
            server.kill(SIGKILL)
            _ = server.wait()
            worker.cancel()
            if (try? await worker.value) ?? 0 > 0 { killedDuringWork += 1 }
            imported = try await Self.checkConsistency(data, after: round, verified: &verified)
        }
        #expect(killedDuringWork > 0, "the kills landed while work was in flight")
        #expect(imported > 0, "training folders were imported between the kills")
        print("soak-report kills=\(kills) killed_during_work=\(killedDuringWork) blobs=\(verified.count) imported=\(imported)")
    }

    static let uploadSize = 256 << 10

    /// Registrations with uploads, readiness, deploys, score updates and log-batch in a seeded order, until killed.
    static func workload(_ http: HTTPClient, _ server: ServerProcess, round: Int, seed: UInt64, runID: String?) async throws
        -> Int
    {
        var random = SplitMix64(state: seed)
        var completed = 0
        var ready: [String] = []
        while !Task.isCancelled {
            switch random.next() % 6 {
            case 5:
                // A training folder: its three files as blobs, then the import.
                let label = "\(round)-\(completed)-\(random.next() % 1000)"
                let files: [(String, [UInt8])] = [
                    ("metadata.json", Array(#"{"model_info": {"name": "imported", "version": "\#(label)"}}"#.utf8)),
                    ("model.joblib", [UInt8](repeating: UInt8(truncatingIfNeeded: completed), count: 64 << 10)),
                    ("history.csv", Array("epoch,loss\n1,0.9\n2,0.5\n3,0.25\n".utf8)),
                ]
                var manifest: [String] = []
                for (path, bytes) in files {
                    let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                    _ = try? await send(http, server, .PUT, "/api/v1/blobs/\(digest)", bytes: bytes)
                    manifest.append(#"{"path": "\#(path)", "size": \#(bytes.count), "sha256": "\#(digest)"}"#)
                }
                _ = try? await send(http, server, .POST, "/api/v1/imports", body: #"{"files": [\#(manifest.joined(separator: ","))]}"#)
            case 0, 1:
                guard let created = try? await send(http, server, .POST, "/api/v1/models/crash/versions", body: "{}"),
                    let version = version(in: created)
                else { return completed }
                var body = [UInt8](repeating: 0x5A, count: uploadSize)
                withUnsafeBytes(of: (round, completed)) { body.replaceSubrange(0..<$0.count, with: $0) }
                _ = try? await send(http, server, .PUT, "/api/v1/models/crash/versions/\(version)/artifacts/w.bin", bytes: body)
                if (try? await send(http, server, .PATCH, "/api/v1/models/crash/versions/\(version)", body: #"{"status": "ready"}"#)) != nil {
                    ready.append(version)
                }
            case 2:
                guard let version = ready.randomElement(using: &random) else { continue }
                _ = try? await send(
                    http, server, .POST, "/api/v1/models/crash/deployments", body: #"{"version": "\#(version)", "environment": "production"}"#)
            case 3:
                guard let version = ready.randomElement(using: &random) else { continue }
                _ = try? await send(
                    http, server, .PUT, "/api/v1/models/crash/versions/\(version)/scores", body: #"{"scores": {"f1": 0.\#(completed % 10)}}"#)
            default:
                guard let runID else { continue }
                let metrics = (0..<50).map { #"{"key": "loss", "value": \#($0), "timestamp": \#(completed), "step": \#($0)}"# }
                _ = try? await send(
                    http, server, .POST, "/api/2.0/mlflow/runs/log-batch",
                    body: #"{"run_id": "\#(runID)", "metrics": [\#(metrics.joined(separator: ","))]}"#)
            }
            completed += 1
        }
        return completed
    }

    /// `verified`: blobs already hashed in an earlier round (blobs are immutable), so each round hashes only new ones.
    /// Returns how many versions were imported from training folders so far.
    static func checkConsistency(_ data: URL, after round: Int, verified: inout Set<BlobDigest>) async throws -> Int {
        let store = try SQLiteRegistryStore(path: data.appendingPathComponent("registry.sqlite").path)
        let artifacts = try LocalArtifactStore(root: data.appendingPathComponent("artifacts"))
        let model = ModelName(rawValue: "crash")
        let versions = try await everything { try await store.listVersions(model, filter: .init(), page: $0) }
        let patches = versions.map(\.version.patch).sorted()
        #expect(patches == Array(0..<patches.count), "round \(round): version numbers have gaps or duplicates: \(patches)")
        let numbers = versions.map(\.number).sorted()
        #expect(numbers == Array(1...Int64(max(numbers.count, 1))).prefix(numbers.count).map { $0 }, "round \(round): registration numbers")
        for version in versions {
            for entry in try await store.artifacts(version.model, version.version) {
                #expect(try await artifacts.contains(entry.sha256), "round \(round): manifest entry \(entry.path) has no blob")
                if !verified.contains(entry.sha256) {
                    #expect(try await artifacts.verify(entry.sha256), "round \(round): blob of \(entry.path) is incomplete")
                }
                #expect(entry.size == Int64(uploadSize), "round \(round): a manifest entry names a partial upload")
            }
        }
        for blob in try await artifacts.list() where !verified.contains(blob.digest) {
            #expect(try await artifacts.verify(blob.digest), "round \(round): a partial file is visible as a blob")
            verified.insert(blob.digest)
        }
        // Aliases point at existing versions, and agree with the newest deployment record and its audit entry.
        let existing = Set(versions.map(\.version))
        let aliases = try await store.aliases(model)
        for alias in aliases {
            #expect(existing.contains(alias.version), "round \(round): alias \(alias.environment) points at a missing version")
        }
        let deployments = try await everything { try await store.deployments(model, environment: nil, page: $0) }
        #expect(deployments.first?.toVersion == aliases.first { $0.environment == .production }?.version, "round \(round)")
        let audit = try await everything { try await store.auditEntries(model, page: $0) }
        #expect(audit.filter { $0.action == "version.register" }.count == versions.count, "round \(round): a registration without its audit entry")
        #expect(
            audit.filter { ["deploy", "rollback", "undeploy"].contains($0.action) }.count == deployments.count,
            "round \(round): a deployment without its audit entry")
        let scored = versions.filter { !$0.scores.isEmpty }.count
        #expect(audit.filter { $0.action == "version.scores" }.count >= scored, "round \(round): scores without an audit entry")

        // Imported versions are whole: all three files and the three-epoch history, each folder once.
        let importedModel = ModelName(rawValue: "imported")
        guard (try? await store.model(named: importedModel)) != nil else { return 0 }
        let imported = try await everything { try await store.listVersions(importedModel, filter: .init(), page: $0) }
        let importedNumbers = imported.map(\.number).sorted()
        #expect(importedNumbers == Array(1...Int64(max(importedNumbers.count, 1))).prefix(importedNumbers.count).map { $0 }, "round \(round): imported numbers")
        let contents = imported.compactMap { $0.tags["import.content_sha256"] }
        #expect(contents.count == imported.count && Set(contents).count == contents.count, "round \(round): a folder imported twice")
        for version in imported {
            let manifest = try await store.artifacts(importedModel, version.version)
            #expect(manifest.map(\.path.rawValue).sorted() == ["history.csv", "metadata.json", "model.joblib"], "round \(round): \(version.version) lacks files")
            #expect(try await store.history(importedModel, version.version, metric: "loss").count == 3, "round \(round): \(version.version) lacks its history")
        }
        return imported.count
    }

    /// Every item of a paged listing.
    static func everything<T>(_ fetch: (PageRequest) async throws -> Page<T>) async throws -> [T] {
        var items: [T] = []
        var token: String?
        repeat {
            let page = try await fetch(try PageRequest(limit: PageRequest.maxLimit, token: token))
            items += page.items
            token = page.nextPageToken
        } while token != nil
        return items
    }

    static func send(
        _ http: HTTPClient, _ server: ServerProcess, _ method: HTTPMethod, _ path: String, body: String? = nil,
        bytes: [UInt8]? = nil
    ) async throws -> Data {
        var request = HTTPClientRequest(url: server.url + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        if let bytes {
            let chunks = stride(from: 0, to: bytes.count, by: 65_536).map { ByteBuffer(bytes: bytes[$0..<min($0 + 65_536, bytes.count)]) }
            request.body = .stream(chunks.async, length: .known(Int64(bytes.count)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        var buffer = try await response.body.collect(upTo: 1 << 20)
        return Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    static func version(in data: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["version"] as? String
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (for streamed request bodies).
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
