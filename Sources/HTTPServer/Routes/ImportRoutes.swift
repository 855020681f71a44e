import Foundation
import Hummingbird
import NIOCore
import ModelyardAPI
import Registry
import RegistryCore

/// The training hand-off: import a folder (by its blobs, or by a path under the import root), and the history of
/// every attempt.
struct ImportRoutes {
    let registry: Registry
    /// Folders on the server's disk may be imported only from under this directory (nil: path imports are off).
    let importRoot: URL?

    /// 201 for a new version, 200 for a duplicate, 400 naming the recorded refusal.
    static func outcome(_ record: ImportRecord) throws -> Response {
        switch record.outcome {
        case .imported: return try JSONBody.response(record, status: .created)
        case .duplicate: return try JSONBody.response(record)
        case .refused:
            throw RegistryError.invalidArgument("import \(record.id) refused: \(record.reason ?? "invalid folder")")
        }
    }

    /// `curl -F model.onnx=@model.onnx -F metadata.json=@metadata.json -F model=fraud .../imports`: each file part is
    /// one file of the folder (its filename is its path), streamed into the blob store as it arrives; the `model`
    /// and `source` fields are as in the JSON form.
    func multipartImport(_ request: Request, boundary: String) async throws -> ImportRecord {
        let reader = MultipartReader(request.body, boundary: boundary)
        var files: [ImportRecord.File] = []
        var fields: [String: String] = [:]
        while let part = try await reader.nextPart() {
            if let filename = part.filename {
                guard files.count < Registry.maxImportFiles else {
                    throw RegistryError.invalidArgument("a training folder holds at most \(Registry.maxImportFiles) files")
                }
                let path = try ArtifactPath(validating: filename).rawValue
                guard !files.contains(where: { $0.path == path }) else {
                    throw RegistryError.invalidArgument("the upload holds \(path) twice")
                }
                files.append(try await registry.storeImportFile(path: path, bytes: MultipartPartBytes(reader: reader)))
            } else {
                guard ["model", "source"].contains(part.name) else {
                    throw RegistryError.invalidArgument(
                        "unknown form field '\(part.name.prefix(60))'; send files (with a filename), model and source")
                }
                var value = ByteBuffer()
                while var chunk = try await reader.nextChunk() {
                    guard value.readableBytes + chunk.readableBytes <= 4_096 else {
                        throw RegistryError.invalidArgument("the form field '\(part.name)' is longer than 4096 bytes")
                    }
                    value.writeBuffer(&chunk)
                }
                fields[part.name] = String(buffer: value)
            }
        }
        guard !files.isEmpty else {
            throw RegistryError.invalidArgument("the upload holds no files; send each file of the folder as a part with a filename")
        }
        return try await registry.importTraining(
            files: files, model: try fields["model"].map(ModelName.init(validating:)),
            source: fields["source"] ?? "upload", audit: request.audit())
    }

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("imports") { request, _ in
            if let boundary = request.headers[.contentType].flatMap(MultipartReader<RequestBody>.boundary(of:)) {
                return try await Self.outcome(try await multipartImport(request, boundary: boundary))
            }
            let body = try await JSONBody.decode(TrainingImportRequest.self, from: request)
            let model = try body.model.map(ModelName.init(validating:))
            let audit = request.audit()
            let record: ImportRecord
            switch (body.path, body.files) {
            case (let path?, nil):
                guard let importRoot else {
                    throw RegistryError.failedPrecondition(
                        "this server takes no folder paths: start it with --import-root DIR, or send the files")
                }
                record = try await registry.importTrainingFolder(path, root: importRoot, model: model, audit: audit)
            case (nil, let files?):
                record = try await registry.importTraining(
                    files: files, model: model, source: body.source ?? "upload", audit: audit)
            default:
                throw RegistryError.invalidArgument("give either path (a folder under the import root) or files, not both")
            }
            return try Self.outcome(record)
        }
        api.get("imports") { request, _ in
            let filter = ImportFilter(
                model: try request.query("model").map(ModelName.init(validating:)),
                outcome: try request.query("outcome").map { text in
                    guard let outcome = ImportRecord.Outcome(rawValue: text) else {
                        throw RegistryError.invalidArgument("outcome must be imported, duplicate or refused")
                    }
                    return outcome
                },
                contentSHA256: request.query("content_sha256"))
            let page = try await registry.importRecords(filter, page: try request.pageRequest())
            return try JSONBody.response(ImportListResponse(imports: page.items, nextPageToken: page.nextPageToken))
        }
        api.get("imports/{id}") { _, context in
            guard let id = Int64(try context.parameters.require("id")), id > 0 else {
                throw RegistryError.invalidArgument("an import id is a positive integer")
            }
            return try JSONBody.response(try await registry.importRecord(id: id))
        }
    }
}
