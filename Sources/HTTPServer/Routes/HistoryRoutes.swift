import Foundation
import Hummingbird
import Registry
import RegistryCore
import ModelyardAPI

/// Training history: append batches of points, read series and summaries.
struct HistoryRoutes {
    let registry: Registry
    /// History batches may carry up to `MetricPoint.maxBatch` points.
    static let bodyLimit = 32 * 1024 * 1024

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("models/{model}/versions/{version}/history") { request, context in
            let body = try await JSONBody.decode(AppendHistoryRequest.self, from: request, limit: Self.bodyLimit)
            let now = ISO8601.milliseconds(registry.now())
            let points = body.points.map {
                MetricPoint(name: $0.metric, step: $0.step, value: $0.value, timestamp: $0.timestamp ?? now)
            }
            let appended = try await registry.appendHistory(
                try context.modelName(), try context.versionSelector(), points: points)
            return try JSONBody.response(AppendHistoryResponse(appended: appended), status: .created)
        }
        api.get("models/{model}/versions/{version}/history") { request, context in
            let (points, summaries) = try await registry.historyWithSummaries(
                try context.modelName(), try context.versionSelector(), metric: request.query("metric"))
            return try JSONBody.response(HistoryResponse(points: points, summaries: summaries))
        }
        api.get("models/{model}/versions/{version}/history/summary") { _, context in
            try JSONBody.response(
                try await registry.historySummary(try context.modelName(), try context.versionSelector()))
        }
    }
}
