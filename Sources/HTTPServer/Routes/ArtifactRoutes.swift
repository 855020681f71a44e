import HTTPTypes
import Hummingbird
import NIOCore
import Registry
import RegistryCore
import ModelyardAPI

/// Artifact upload (streamed) and download (streamed, with Content-Length and an ETag).
struct ArtifactRoutes {
    let registry: Registry
    // Literal header names are valid tokens; the initialiser cannot fail for them.
    static let expectedHeader = HTTPField.Name("X-Modelyard-Expected-Sha256")!
    static let sha256Header = HTTPField.Name("X-Modelyard-Sha256")!

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.get("models/{model}/versions/{version}/artifacts") { _, context in
            try JSONBody.response(
                ArtifactListResponse(
                    artifacts: try await registry.listArtifacts(try context.modelName(), try context.versionSelector())))
        }
        api.put("models/{model}/versions/{version}/artifacts/**") { request, context in
            let model = try context.modelName()
            let selector = try context.versionSelector()
            let path = try context.artifactPath()
            let expectedText = request.query("sha256") ?? request.headers[Self.expectedHeader]
            let expected = try expectedText.map(BlobDigest.init(validating:))
            if let length = request.headers[.contentLength].flatMap(Int64.init),
                length > registry.limits.maxArtifactSize
            {
                throw RegistryError.payloadTooLarge(
                    "the file is \(length) bytes, over the limit of \(registry.limits.maxArtifactSize) bytes")
            }
            let entry = try await registry.uploadArtifact(
                model, selector, path: path, bytes: request.body, expected: expected, audit: request.audit())
            return try JSONBody.response(entry, status: .created)
        }
        api.get("models/{model}/versions/{version}/artifacts/**") { request, context in
            let (entry, contents) = try await registry.downloadArtifact(
                try context.modelName(), try context.versionSelector(), path: try context.artifactPath())
            return Self.blobResponse(request: request, digest: entry.sha256, size: contents.size, chunks: contents.chunks)
        }
    }

    /// A streamed blob with Content-Length, a strong ETag (the sha256) and `304 Not Modified` for a matching
    /// `If-None-Match`.
    static func blobResponse<Chunks: AsyncSequence & Sendable>(
        request: Request, digest: BlobDigest, size: Int64, chunks: Chunks
    ) -> Response where Chunks.Element == ByteBuffer {
        var headers = HTTPFields()
        let etag = "\"\(digest.rawValue)\""
        headers[.eTag] = etag
        headers[Self.sha256Header] = digest.rawValue
        if let match = request.headers[.ifNoneMatch], match == etag || match == "*" {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/octet-stream"
        headers[.contentLength] = String(size)
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: chunks))
    }
}
