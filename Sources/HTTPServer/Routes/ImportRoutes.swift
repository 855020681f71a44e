import Foundation
import Hummingbird
import ModelyardAPI
import Registry
import RegistryCore

/// The training hand-off: import a folder (by its blobs, or by a path under the import root), and the history of
/// every attempt.
struct ImportRoutes {
    let registry: Registry
    /// Folders on the server's disk may be imported only from under this directory (nil: path imports are off).
    let importRoot: URL?

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("imports") { request, _ in
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
            switch record.outcome {
            case .imported: return try JSONBody.response(record, status: .created)
            case .duplicate: return try JSONBody.response(record)
            case .refused:
                throw RegistryError.invalidArgument("import \(record.id) refused: \(record.reason ?? "invalid folder")")
            }
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
