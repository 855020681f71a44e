import Hummingbird
import ModelyardAPI
import Registry
import RegistryCore

/// `/api/v1/tokens` (admin): create, list, revoke; `/api/v1/whoami`: the token a request presents.
struct TokenRoutes {
    let registry: Registry
    let authentication: Bool

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("tokens") { request, _ in
            let body = try await JSONBody.decode(CreateTokenRequest.self, from: request, limit: 64 * 1024)
            let created = try await registry.createToken(try body.parsed(), actor: request.audit().actor)
            return try JSONBody.response(
                CreatedTokenResponse(
                    secret: created.secret.text, token: TokenResponse(created.token, now: registry.now())),
                status: .created)
        }
        api.get("tokens") { _, _ in
            let now = registry.now()
            return try JSONBody.response(
                TokenListResponse(tokens: try await registry.tokens().map { TokenResponse($0, now: now) }))
        }
        api.delete("tokens/{name}") { request, context in
            let name = try context.pathParameter("name")
            let revoked = try await registry.revokeToken(named: name, actor: request.audit().actor)
            return try JSONBody.response(TokenResponse(revoked, now: registry.now()))
        }
        api.get("whoami") { _, context in
            try JSONBody.response(
                WhoAmIResponse(
                    authentication: authentication, token: context.token.map { TokenResponse($0, now: registry.now()) }))
        }
    }
}
