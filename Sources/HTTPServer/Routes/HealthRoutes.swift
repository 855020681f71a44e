import Hummingbird
import Registry
import RegistryCore

/// `/healthz` (the process is up) and `/readyz` (the store answers).
struct HealthRoutes {
    let registry: Registry

    func register(on router: Router<ModelyardRequestContext>) {
        router.get("healthz") { _, _ in
            try JSONBody.response(["status": "ok"])
        }
        router.get("readyz") { _, _ in
            _ = try await registry.listModels(filter: .init(), page: try PageRequest(limit: 1))
            return try JSONBody.response(["status": "ready"])
        }
        router.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: OpenAPIDocument.json)))
        }
    }
}
