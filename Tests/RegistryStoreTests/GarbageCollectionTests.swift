import Foundation
import NIOCore
@testable import Registry
import RegistryCore
import RegistryStore
import Testing

@Suite struct GarbageCollectionTests {
    func makeRegistry() throws -> Registry {
        Registry(store: try SQLiteRegistryStore.inMemory(), artifacts: InMemoryArtifactStore())
    }

    @Test func collectionWaitsForUploadsInFlightAndNeverDeletesTheirBlob() async throws {
        let registry = try makeRegistry()
        let audit = AuditContext(actor: "t")
        _ = try await registry.createModel(NewModel(name: ModelName(rawValue: "m")), audit: audit)
        _ = try await registry.registerVersion(ModelName(rawValue: "m"), NewVersion(), audit: audit)
        // Bytes that are already stored but unreferenced: an upload will reuse them.
        let bytes = ByteBuffer(string: "weights")
        _ = try await registry.artifacts.put([bytes].async, maxSize: 100, expected: nil)

        let (stream, feed) = AsyncStream<ByteBuffer>.makeStream()
        let upload = Task {
            try await registry.uploadArtifact(
                ModelName(rawValue: "m"), .version(.initial), path: ArtifactPath(rawValue: "w.bin"), bytes: stream,
                expected: nil, audit: audit)
        }
        // Wait until the upload holds the gate (a fixed sleep is too short on a busy machine).
        while await registry.uploadGate.uploadsInFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let collection = Task { try await registry.collectGarbage(gracePeriod: 0) }
        // The collection must be waiting behind the upload before the upload goes on: wait for that, not a time.
        while await registry.uploadGate.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        feed.yield(bytes)
        feed.finish()
        let entry = try await upload.value
        let report = try await collection.value
        #expect(report.deletedBlobs == 0, "the blob became referenced before the collection could look at it")
        #expect(try await registry.artifacts.verify(entry.sha256))
    }

    @Test func unreferencedBlobsPastTheGracePeriodAreDeleted() async throws {
        let registry = try makeRegistry()
        _ = try await registry.artifacts.put([ByteBuffer(string: "orphan")].async, maxSize: 100, expected: nil)
        #expect(try await registry.collectGarbage(gracePeriod: 3600).deletedBlobs == 0)
        #expect(try await registry.collectGarbage(gracePeriod: 0).deletedBlobs == 1)
        #expect(try await registry.artifacts.list().isEmpty)
    }
}

extension Array where Element: Sendable {
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
