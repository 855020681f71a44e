import Foundation
import HTTPServer
import Hummingbird
import Logging
import Testing

@Suite struct OpenAPITests {
    /// Every native route the router serves is in /openapi.json and every documented operation is served. The
    /// MLflow-compatible surface (`/api/2.0`, `/api/3.0`, `/health`, `/version`) follows MLflow's own protocol and
    /// is proved by the MLflow client suite instead; the Open Inference Protocol (`/v2`) by the tritonclient suite;
    /// the dashboard's HTML pages (everything else outside `/api`) by the dashboard tests and the browser suite.
    @Test func documentMatchesTheRouter() throws {
        let harness = try APIHarness()
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        let router = ModelyardServer.buildRouter(harness.components)
        let served = Set(router.routes.map { route in
            "\(route.method.rawValue.lowercased()) " + route.path.description.replacingOccurrences(of: "**", with: "{path}")
        }.map { $0.hasPrefix("get /") || $0.contains(" /") ? $0 : $0.replacingOccurrences(of: " ", with: " /") }
        .filter { route in
            let path = route.split(separator: " ").last.map(String.init) ?? ""
            return !(path.hasPrefix("/api/2.0/") || path.hasPrefix("/api/3.0/") || path == "/health" || path == "/version"
                || path.hasPrefix("/v2") || Self.isDashboard(path))
        })
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any]
        let paths = document?["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.flatMap { path, methods in methods.keys.map { "\($0) \(path)" } })
        #expect(served == documented, "served but undocumented: \(served.subtracting(documented)); documented but not served: \(documented.subtracting(served))")
        #expect(documented.count >= 35)
    }

    static let operations: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json"]

    static func isDashboard(_ path: String) -> Bool { !path.hasPrefix("/api/") && !operations.contains(path) }
}
