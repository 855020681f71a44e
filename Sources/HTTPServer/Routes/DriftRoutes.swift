import DriftStatistics
import Foundation
import Hummingbird
import ModelyardAPI
import NIOCore
import Registry
import RegistryCore
import Serving

/// Drift: a version's reference, the live windows and history, a batch check of a dataset, and a model's settings.
struct DriftRoutes {
    let registry: Registry
    let pool: ModelPool

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.get("models/{model}/versions/{version}/drift") { request, context in
            let model = try context.modelName()
            let version = try await registry.version(model, try context.versionSelector())
            let hours = try request.queryInt("hours") ?? 24 * 7
            guard (1...24 * 90).contains(hours) else { throw RegistryError.invalidArgument("hours must be between 1 and 2160") }
            let actor = request.audit(reason: nil).actor
            let reference = try await registry.driftReference(model, version.version, actor: actor)
            // The windows as of now: what was served so far is judged here (the drift service records changes).
            let monitor = pool.driftMonitor(model, version.version)
            let status = try await pool.offloaded { monitor?.currentStatus() }
            let history = try await registry.driftHistory(
                model, version.version, since: registry.now().addingTimeInterval(-Double(hours) * 3_600))
            return try JSONBody.response(
                DriftStatusResponse(
                    model: model.rawValue, version: version.version.description, reference: reference.map(DriftReferenceDTO.init),
                    hint: reference == nil ? Registry.noReference(model, version.version) : nil,
                    settings: try await registry.driftSettings(model), monitoring: status?.monitoring ?? false,
                    rowsSeen: status?.rowsSeen ?? 0, skippedRows: status?.skippedRows ?? 0, drifting: status?.drifting,
                    windows: status?.windows.map { DriftWindowDTO(size: $0.size, rows: $0.rows, report: $0.report) } ?? [],
                    unmappedColumns: status?.unmapped ?? [], history: history.map(DriftSummaryDTO.init)))
        }
        api.put("models/{model}/versions/{version}/drift/reference") { request, context in
            let model = try context.modelName()
            let version = try await registry.version(model, try context.versionSelector())
            let data = try await Self.collect(request)
            let record = try await registry.setDriftReference(model, version.version, data: data, audit: request.audit(reason: nil))
            return try JSONBody.response(DriftReferenceDTO(record), status: .created)
        }
        api.post("models/{model}/versions/{version}/drift/check") { request, context in
            let model = try context.modelName()
            let version = try await registry.version(model, try context.versionSelector())
            let data = try await Self.collect(request)
            let report = try await registry.checkDrift(
                model, version.version, data: data, name: "the request body", actor: request.audit(reason: nil).actor)
            return try JSONBody.response(report)
        }
        api.get("models/{model}/drift/settings") { _, context in
            try JSONBody.response(try await registry.driftSettings(try context.modelName()))
        }
        api.put("models/{model}/drift/settings") { request, context in
            let settings = try await JSONBody.decode(DriftSettings.self, from: request)
            return try JSONBody.response(
                try await registry.setDriftSettings(try context.modelName(), settings, audit: request.audit(reason: nil)))
        }
        api.delete("models/{model}/drift/settings") { request, context in
            try JSONBody.response(
                try await registry.setDriftSettings(try context.modelName(), nil, audit: request.audit(reason: nil)))
        }
    }

    /// A dataset body (CSV or JSON Lines), at most `Registry.maxDriftDatasetBytes`.
    static func collect(_ request: Request) async throws -> Data {
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw RegistryError.invalidArgument(
                "Content-Encoding '\(encoding.prefix(40))' is not supported for request bodies; send the body uncompressed")
        }
        do {
            let data = Data(try await request.body.collect(upTo: Registry.maxDriftDatasetBytes).readableBytesView)
            guard !data.isEmpty else {
                throw RegistryError.invalidArgument("the body is empty; send a CSV (with a header row) or JSON Lines dataset")
            }
            return data
        } catch is NIOTooManyBytesError {
            throw RegistryError.payloadTooLarge(
                "the dataset is larger than \(Registry.maxDriftDatasetBytes) bytes; send a sample of it")
        }
    }
}
