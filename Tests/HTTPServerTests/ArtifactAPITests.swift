import Crypto
import Foundation
import HTTPServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import Testing
import ModelyardAPI

@Suite struct ArtifactAPITests {
    static func sha(_ bytes: [UInt8]) -> String { BlobDigest(bytes: SHA256.hash(data: bytes)).rawValue }

    @Test func uploadListDownloadAndSeal() async throws {
        try await APIHarness().live { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: "{}")
            let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let base = "/api/v1/models/m/versions/1.0.0/artifacts"
            let uploaded = try await client.upload(base + "/weights/model.onnx?sha256=\(Self.sha(bytes))", bytes: bytes)
            #expect(uploaded.status == .created)
            let entry = try uploaded.decode(ArtifactEntry.self)
            #expect(entry.size == 3_000_000 && entry.sha256.rawValue == Self.sha(bytes) && entry.path.rawValue == "weights/model.onnx")

            let copy = try await client.upload(base + "/copy.bin", bytes: bytes)
            #expect(try copy.decode(ArtifactEntry.self).sha256 == entry.sha256)

            let list = try await client.call(.get, base).decode(ArtifactListResponse.self)
            #expect(list.artifacts.map(\.path.rawValue) == ["copy.bin", "weights/model.onnx"])

            let download = try await client.execute(uri: base + "/weights/model.onnx", method: .get)
            #expect(download.status == .ok && Array(download.body.readableBytesView) == bytes)
            #expect(download.headers[.contentLength] == "3000000")
            #expect(download.headers[.eTag] == "\"\(Self.sha(bytes))\"")
            let cached = try await client.execute(
                uri: base + "/weights/model.onnx", method: .get, headers: [.ifNoneMatch: "\"\(Self.sha(bytes))\""])
            #expect(cached.status == .notModified)

            let mismatch = try await client.upload(base + "/x.bin?sha256=\(String(repeating: "0", count: 64))", bytes: [1, 2, 3])
            #expect(mismatch.status == .badRequest && mismatch.error?.message.contains("nothing was stored") == true)

            _ = try await client.call(.patch, "/api/v1/models/m/versions/1.0.0", json: UpdateVersionRequest(status: "ready"))
            let sealed = try await client.upload(base + "/late.bin", bytes: [1])
            #expect(sealed.status == .conflict && sealed.error?.message.contains("sealed") == true)
            #expect(try await client.call(.get, base).decode(ArtifactListResponse.self).artifacts.count == 2)
        }
    }

    @Test func identicalFilesAreStoredOnceAndUnreferencedBlobsAreCollected() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: "{}")
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: "{}")
            let bytes: [UInt8] = Array("same bytes".utf8)
            _ = try await client.upload("/api/v1/models/m/versions/1.0.0/artifacts/a.txt", bytes: bytes)
            _ = try await client.upload("/api/v1/models/m/versions/1.1.0/artifacts/b.txt", bytes: bytes)
            #expect(try await harness.registry.artifacts.list().count == 1)
            _ = try await client.call(.delete, "/api/v1/models/m/versions/1.0.0")
            var report = try await client.call(.post, "/api/v1/admin/gc?grace_seconds=0").decode(GCReportShape.self)
            #expect(report.deleted_blobs == 0, "still referenced by 1.1.0")
            _ = try await client.call(.delete, "/api/v1/models/m/versions/1.1.0")
            report = try await client.call(.post, "/api/v1/admin/gc").decode(GCReportShape.self)
            #expect(report.deleted_blobs == 0, "inside the grace period")
            report = try await client.call(.post, "/api/v1/admin/gc?grace_seconds=0").decode(GCReportShape.self)
            #expect(report.deleted_blobs == 1)
            #expect(try await harness.registry.artifacts.list().isEmpty)
        }
    }

    struct GCReportShape: Decodable {
        var deleted_blobs: Int
    }

    @Test(arguments: ["..%2F..%2Fetc%2Fpasswd", "a/../../b", "%2Fabs", "a%5Cb", "a%00b", "./x", "a/%2E%2E/b"])
    func hostilePathsAreRefused(path: String) async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: "{}")
            let response = try await client.upload("/api/v1/models/m/versions/1.0.0/artifacts/\(path)", bytes: [1, 2])
            #expect((400..<500).contains(response.status.code), "\(path) → \(response.status)")
            #expect(try await client.call(.get, "/api/v1/models/m/versions/1.0.0/artifacts").decode(ArtifactListResponse.self).artifacts.isEmpty)
        }
    }

    @Test func sizeLimitIsEnforcedWhileStreaming() async throws {
        try await APIHarness(limits: .init(maxArtifactSize: 1000)).run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: "{}")
            let response = try await client.upload("/api/v1/models/m/versions/1.0.0/artifacts/big.bin", bytes: Array(repeating: 7, count: 5000))
            #expect(response.status == .contentTooLarge && response.error?.code == "payload_too_large")
        }
    }
}
