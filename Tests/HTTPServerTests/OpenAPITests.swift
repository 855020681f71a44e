import Foundation
import HTTPServer
import Hummingbird
import Logging
import Testing

@Suite struct OpenAPITests {
    /// Every route the router serves is in /openapi.json and every documented operation is served.
    @Test func documentMatchesTheRouter() throws {
        let harness = try APIHarness()
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        let router = ModelyardServer.buildRouter(registry: harness.registry)
        let served = Set(router.routes.map { route in
            "\(route.method.rawValue.lowercased()) " + route.path.description.replacingOccurrences(of: "**", with: "{path}")
        }.map { $0.hasPrefix("get /") || $0.contains(" /") ? $0 : $0.replacingOccurrences(of: " ", with: " /") })
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any]
        let paths = document?["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.flatMap { path, methods in methods.keys.map { "\($0) \(path)" } })
        #expect(served == documented, "served but undocumented: \(served.subtracting(documented)); documented but not served: \(documented.subtracting(served))")
        #expect(documented.count >= 35)
    }
}
