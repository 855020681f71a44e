import Crypto
public import Foundation
import NIOCore
public import RegistryCore

extension Registry {
    /// Registers a benchmark suite: its file is parsed and checked first (a bad suite stores nothing), then kept as
    /// a blob. Suites never change: registering the very same file under its name again returns the suite with
    /// `created` false; another file under a taken name is `already_exists`.
    public func registerSuite(_ name: SuiteName, description: String, contents: Data, actor: String) async throws
        -> (suite: BenchmarkSuite, created: Bool)
    {
        guard description.utf8.count <= 4096 else { throw RegistryError.invalidArgument("a suite's description may have at most 4096 bytes") }
        let parsed = try SuiteContents.parse(contents)
        let digest = BlobDigest(bytes: SHA256.hash(data: contents))
        if let existing = try? await store.suite(name) {
            guard existing.sha256 == digest else {
                throw RegistryError.alreadyExists(
                    "a suite named '\(name)' exists already with another file (sha256 \(existing.sha256.rawValue.prefix(12))…); "
                        + "suites never change, so register this file under a new name")
            }
            return (existing, false)
        }
        return try await asUpload {
            let bytes = AsyncStream<ByteBuffer> { continuation in
                continuation.yield(ByteBuffer(bytes: contents))
                continuation.finish()
            }
            let blob = try await artifacts.put(bytes, maxSize: SuiteContents.Limits.maxBytes, expected: digest)
            var suite = BenchmarkSuite(
                name: name, kind: parsed.kind, description: description, sha256: blob.digest, size: blob.size,
                createdBy: actor, createdAt: clock())
            switch parsed {
            case .retrieval(let queries, let documents, let judgements):
                (suite.queries, suite.documents, suite.judgements) = (queries.count, documents.count, judgements.count)
            case .pairs(let pairs): suite.pairs = pairs.count
            }
            try await store.addSuite(suite)
            return (suite, true)
        }
    }

    public func suites() async throws -> [BenchmarkSuite] { try await store.suites() }

    public func suite(_ name: SuiteName) async throws -> BenchmarkSuite { try await store.suite(name) }

    /// Removes a suite's registration; results that ran it stay with their versions.
    public func deleteSuite(_ name: SuiteName) async throws { try await store.deleteSuite(name) }

    /// The suite's file, read back from the blob store and checked against its sha256.
    public func suiteFile(_ name: SuiteName) async throws -> (suite: BenchmarkSuite, data: Data) {
        let suite = try await store.suite(name)
        let contents = try await artifacts.open(suite.sha256)
        guard contents.size <= SuiteContents.Limits.maxBytes else {
            throw RegistryError.failedPrecondition("suite '\(name)' is larger in the artifact store than it was registered")
        }
        var data = Data()
        data.reserveCapacity(Int(contents.size))
        for try await chunk in contents.chunks {
            data.append(contentsOf: chunk.readableBytesView)
            guard data.count <= SuiteContents.Limits.maxBytes else {
                throw RegistryError.failedPrecondition("suite '\(name)' grew past its limit while being read")
            }
        }
        guard BlobDigest(bytes: SHA256.hash(data: data)) == suite.sha256 else {
            throw RegistryError.failedPrecondition(
                "suite '\(name)' is corrupt in the artifact store (its bytes no longer hash to \(suite.sha256.rawValue)); delete and register it again")
        }
        return (suite, data)
    }

    /// The parsed contents of a suite.
    public func suiteContents(_ name: SuiteName) async throws -> (suite: BenchmarkSuite, contents: SuiteContents) {
        let (suite, data) = try await suiteFile(name)
        return (suite, try SuiteContents.parse(data))
    }

    /// Every benchmark stored on a model's versions (one suite's, when given), by version then run time.
    public func modelBenchmarks(_ model: ModelName, suite: SuiteName?) async throws -> [BenchmarkReport] {
        try await store.modelBenchmarks(model, suite: suite)
    }
}
