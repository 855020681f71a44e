import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelyardAPI
import NIOCore
import RegistryCore
import RegistryWire
import Testing

@testable import HTTPServer

/// Training folders uploaded as `multipart/form-data` (what `curl -F` sends), and the streaming reader under it.
@Suite struct MultipartImportTests {
    static let boundary = "----modelyard-test-7MA4YWxkTrZu0gW"

    static func body(_ parts: [(name: String, filename: String?, bytes: [UInt8])]) -> [UInt8] {
        var body: [UInt8] = Array("preamble to ignore\r\n".utf8)
        for part in parts {
            let disposition = "form-data; name=\"\(part.name)\"" + (part.filename.map { "; filename=\"\($0)\"" } ?? "")
            body += Array("--\(boundary)\r\nContent-Disposition: \(disposition)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += part.bytes
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return body
    }

    /// A body delivered in chunks of 1 to 7 bytes, so every boundary and header straddles chunk edges.
    struct Trickle: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let bytes: [UInt8]
        struct AsyncIterator: AsyncIteratorProtocol {
            let bytes: [UInt8]
            var offset = 0
            var step = 0
            mutating func next() async -> ByteBuffer? {
                guard offset < bytes.count else { return nil }
                step = step % 7 + 1
                let end = Swift.min(bytes.count, offset + step)
                defer { offset = end }
                return ByteBuffer(bytes: bytes[offset..<end])
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
    }

    @Test func theReaderFindsEveryPartWhateverTheChunkEdges() async throws {
        // Bytes that look like a boundary's start inside a file must stay in the file.
        let tricky = Array("line\r\n--not-the-boundary\r\n-\r\n--".utf8) + [UInt8](repeating: 0x2D, count: 100_000) + [0x0D, 0x0A]
        let parts: [(name: String, filename: String?, bytes: [UInt8])] = [
            ("model", nil, Array("fraud".utf8)), ("file", "model.onnx", tricky), ("file", "empty.txt", []),
            ("file", "sub/metadata.json", Array("{}".utf8)),
        ]
        let reader = MultipartReader(Trickle(bytes: Self.body(parts)), boundary: Self.boundary)
        var seen: [(String, String?, [UInt8])] = []
        while let part = try await reader.nextPart() {
            var bytes: [UInt8] = []
            for try await chunk in MultipartPartBytes(reader: reader) { bytes += Array(chunk.readableBytesView) }
            seen.append((part.name, part.filename, bytes))
        }
        #expect(seen.map(\.0) == parts.map(\.name) && seen.map(\.1) == parts.map(\.filename))
        #expect(zip(seen.map(\.2), parts.map(\.bytes)).allSatisfy { $0 == $1 })

        // A body cut off inside a part is an error, not a short file.
        let cut = Array(Self.body(parts).prefix(300))
        let broken = MultipartReader(Trickle(bytes: cut), boundary: Self.boundary)
        await #expect(throws: RegistryError.self) {
            while try await broken.nextPart() != nil { while try await broken.nextChunk() != nil {} }
        }
        #expect(MultipartReader<Trickle>.boundary(of: "multipart/form-data; boundary=\"abc\"") == "abc")
        #expect(MultipartReader<Trickle>.boundary(of: "application/json") == nil)
    }

    @Test func aFolderUploadedAsAFormImportsOverARealSocket() async throws {
        let onnx = try ServingAPITests.fixture("isolation_forest")
        let metadata = Array(#"{"model_info": {"name": "fraud"}, "evaluation_info": {"basic_metrics": {"f1_score": 0.9}}}"#.utf8)
        try await APIHarness().live { client in
            func upload(_ parts: [(name: String, filename: String?, bytes: [UInt8])]) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/imports", method: .post,
                    headers: [.contentType: "multipart/form-data; boundary=\(Self.boundary)"],
                    body: ByteBuffer(bytes: Self.body(parts)))
            }
            let imported = try await upload([
                ("source", nil, Array("night-run-42".utf8)), ("file", "model.onnx", onnx), ("file", "metadata.json", metadata),
            ])
            #expect(imported.status == .created)
            let record = try imported.decode(ImportRecord.self)
            #expect(record.outcome == .imported && record.source == "night-run-42" && record.validation?.passed == true)
            #expect(record.files.map(\.path) == ["model.onnx", "metadata.json"] && record.files[0].size == Int64(onnx.count))
            let artifacts = try await client.call(.get, "/api/v1/models/fraud/versions/1.0.0/artifacts").decode(ArtifactListResponse.self)
            #expect(artifacts.artifacts.first { $0.path.rawValue == "model.onnx" }?.size == Int64(onnx.count))

            let again = try await upload([("file", "metadata.json", metadata), ("file", "model.onnx", onnx)])
            let duplicate = try again.decode(ImportRecord.self)
            #expect(again.status == .ok && duplicate.outcome == .duplicate)
            #expect(try await upload([("file", "../evil", metadata)]).status == .badRequest)
            #expect(try await upload([("color", nil, Array("blue".utf8))]).status == .badRequest)
            #expect(try await upload([("model", nil, Array("fraud".utf8))]).status == .badRequest)
        }
    }
}
