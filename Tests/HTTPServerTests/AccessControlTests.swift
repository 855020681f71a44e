import Foundation
import HTTPServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelyardAPI
import NIOCore
import Registry
import RegistryCore
import Testing

@Suite struct AccessControlTests {
    static let authorization = HTTPField.Name("Authorization")!
    static let origin = HTTPField.Name("Origin")!
    static let cookie = HTTPField.Name("Cookie")!

    /// The routes the router serves, as `METHOD /path`.
    static func routes(_ harness: APIHarness) -> [String] {
        ModelyardServer.buildRouter(harness.components).routes.map { "\($0.method.rawValue) \($0.path.description)" }.sorted()
    }

    /// Every route the router serves has an explicit entry (so a new one cannot be exposed by forgetting it), and
    /// every entry is a route (so the table cannot rot).
    @Test func everyRouteIsClassified() throws {
        let harness = try APIHarness()
        defer { harness.cleanup() }
        let served = Set(Self.routes(harness))
        let listed = Set(RouteAccess.table.keys)
        #expect(served.subtracting(listed).isEmpty, "routes without an access entry: \(served.subtracting(listed).sorted())")
        #expect(listed.subtracting(served).isEmpty, "entries that are no route: \(listed.subtracting(served).sorted())")
        // Independent sanity rules on the table: what only admins may do, and what a read token may never do.
        for (route, access) in RouteAccess.table {
            let method = route.split(separator: " ")[0]
            if method != "GET" { #expect(!access.requirement.satisfiedBy.contains(.read) || route.contains("search") || route.contains("get-latest-versions") || route.hasSuffix("/drift/check") || access.requirement == .none, "\(route)") }
            if route.contains("/tokens") || route.contains("/admin/") || route.hasSuffix("/export") || route == "POST /api/v1/import"
                || (method == "DELETE" && (route.hasSuffix("/models/{model}") || route.hasSuffix("/delete")))
                || (method != "GET" && route.hasSuffix("/policy"))
            {
                #expect(access.requirement == .admin, "\(route) must need admin")
            }
            if route.contains("/deployments") && method == "POST" || route.hasSuffix("/rollback") || route.hasSuffix("/traffic") && method == "PUT" {
                #expect(access.requirement == .deploy, "\(route) must need deploy")
            }
            if access.requirement.satisfiedBy.contains(.predict) && access.requirement != .none {
                #expect(route.hasPrefix("POST /api/v1/models/{model}") && (route.hasSuffix("/predict") || route.hasSuffix("/embed"))
                    || route == "POST /v1/embeddings" || route.hasPrefix("GET /v2") || route.hasSuffix("/infer")
                    || access.requirement == .authenticated, "\(route) is open to predict tokens")
            }
        }
    }

    /// A concrete request path for a route pattern.
    static func uri(_ pattern: String, model: String, version: String) -> String {
        pattern.replacingOccurrences(of: "{model}", with: model).replacingOccurrences(of: "{version}", with: version)
            .replacingOccurrences(of: "{sha256}", with: String(repeating: "0", count: 64))
            .replacingOccurrences(of: "**", with: "model.onnx").replacingOccurrences(of: "{id}", with: "x")
            .replacingOccurrences(of: "{key}", with: "k").replacingOccurrences(of: "{experiment}", with: "0")
            .replacingOccurrences(of: "{run}", with: "r").replacingOccurrences(of: "{name}", with: "nobody")
            .replacingOccurrences(of: "{file}", with: "app.css")
    }

    /// Whether access control (not the route) refused the request.
    static func refusedByAccess(_ response: TestResponse) -> Bool {
        response.status == .unauthorized || (response.status == .forbidden && response.text.contains("the token '"))
    }

    /// Everything a registry holds that a request could change, as text (models, versions, deployments, policies,
    /// tokens, experiments and runs).
    static func state(_ client: any TestClientProtocol, admin: String) async throws -> String {
        let auth: [String: String] = ["Authorization": "Bearer \(admin)"]
        var text = try await client.call(.get, "/api/v1/export", headers: auth).text
            .replacingOccurrences(of: #""exported_at":"[^"]*","#, with: "", options: .regularExpression)
        // Authentication records when a token was last used (off the request path): that is not a change a
        // request makes, so it is left out.
        text += try await client.call(.get, "/api/v1/tokens", headers: auth).text
            .replacingOccurrences(of: #""last_used_at":"[^"]*","#, with: "", options: .regularExpression)
        text += try await client.call(.get, "/api/2.0/mlflow/experiments/search?max_results=1000", headers: auth).text
        text += try await client.call(.post, "/api/2.0/mlflow/runs/search", json: ["experiment_ids": ["0"]], headers: auth).text
        return text
    }

    struct Credential: Sendable {
        var label: String
        var header: String?
        /// nil: every authenticated route refuses it (401).
        var token: AccessToken?
    }

    /// Every route × every kind of credential: no token, garbage, an unknown well-formed token, expired, revoked, each
    /// scope, and tokens limited to one model used on it and on another. Refusals are 401 (no valid token) or 403
    /// (scope or model), and the requests refused change nothing; the allowed ones get past access control.
    @Test func everyRouteTimesEveryCredential() async throws {
        let clock = TestClock()
        let harness = try APIHarness(access: AccessSettings(authentication: true), clock: { clock.now })
        let registry = harness.registry
        var credentials: [Credential] = [
            Credential(label: "none", header: nil),
            Credential(label: "garbage", header: "Bearer not-a-token"),
            Credential(label: "basic", header: "Basic YWRtaW46cGFzc3dvcmQ="),
            Credential(label: "unknown", header: "Bearer " + TokenSecret.generate().text),
        ]
        var made: [String: CreatedToken] = [:]
        for scope in AccessScope.allCases {
            made[scope.rawValue] = try await registry.createToken(NewAccessToken(name: scope.rawValue, scopes: [scope]), actor: "test")
        }
        made["limited-write"] = try await registry.createToken(
            NewAccessToken(name: "limited-write", scopes: [.write, .deploy], models: ModelRestriction(names: ["m-allowed"])), actor: "test")
        made["limited-predict"] = try await registry.createToken(
            NewAccessToken(name: "limited-predict", scopes: [.predict], models: ModelRestriction(prefixes: ["m-"])), actor: "test")
        let expiring = try await registry.createToken(
            NewAccessToken(name: "expiring", scopes: [.admin], lifetime: 60), actor: "test")
        let revoked = try await registry.createToken(NewAccessToken(name: "revoked", scopes: [.admin]), actor: "test")
        _ = try await registry.revokeToken(named: "revoked", actor: "test")
        clock.advance(120)
        credentials.append(Credential(label: "expired", header: "Bearer " + expiring.secret.text))
        credentials.append(Credential(label: "revoked", header: "Bearer " + revoked.secret.text))
        for (label, created) in made.sorted(by: { $0.key < $1.key }) {
            credentials.append(Credential(label: label, header: "Bearer " + created.secret.text, token: created.token))
        }
        let admin = made["admin"]!.secret.text
        let routes = Self.routes(harness)
        let allCredentials = credentials

        try await harness.run { client in
            // Something to act on: two models with a deployed version each.
            let auth = ["Authorization": "Bearer \(admin)"]
            var version = ""
            for model in ["m-allowed", "other"] {
                _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: model), headers: auth)
                var body = RegisterVersionRequest()
                body.status = "ready"
                version = try await client.call(.post, "/api/v1/models/\(model)/versions", json: body, headers: auth)
                    .decode(VersionResponse.self).version.version.description
            }
            let before = try await Self.state(client, admin: admin)

            var allowed: [(String, String, Credential)] = []
            var refusals = 0
            for route in routes {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let method = HTTPRequest.Method(rawValue: parts[0])!
                let access = RouteAccess.table[route]!
                for model in ["m-allowed", "other"] {
                    if model == "other" && !parts[1].contains("{model}") { continue }
                    let uri = Self.uri(parts[1], model: model, version: version)
                    for credential in allCredentials {
                        let expected: Bool
                        if access.requirement == .none {
                            expected = true
                        } else if let token = credential.token {
                            expected = token.hasScope(for: access.requirement)
                                && (token.models.isUnrestricted || access.anyModel || access.requirement == .authenticated
                                    || (parts[1].contains("{model}") && token.models.allows(model)))
                        } else {
                            expected = false
                        }
                        if expected {
                            allowed.append((route, uri, credential))
                            continue
                        }
                        var headers: [String: String] = [:]
                        if let header = credential.header { headers["Authorization"] = header }
                        let response = try await client.call(method, uri, raw: "{}", headers: headers)
                        #expect(Self.refusedByAccess(response), "\(route) with \(credential.label) on \(model): \(response.status)")
                        #expect(response.status == (credential.token == nil ? .unauthorized : .forbidden), "\(route) \(credential.label)")
                        if let header = credential.header, header.count > 20 {
                            #expect(!response.text.contains(header.dropFirst(17)), "a response repeats the secret")
                        }
                        refusals += 1
                    }
                }
            }
            #expect(refusals > 1_000)
            // Not one refused request changed anything.
            let after = try await Self.state(client, admin: admin)
            #expect(after == before)

            // The allowed requests get past access control (what the route then makes of `{}` is its own business).
            // Deletes and the event stream (which never ends) are checked for refusal only.
            for (route, uri, credential) in allowed where !route.hasPrefix("DELETE") && route != "GET /events" {
                let method = HTTPRequest.Method(rawValue: String(route.split(separator: " ")[0]))!
                var headers: [String: String] = [:]
                if let header = credential.header { headers["Authorization"] = header }
                let response = try await client.call(method, uri, raw: "{}", headers: headers)
                #expect(!Self.refusedByAccess(response), "\(route) with \(credential.label) was refused: \(response.text.prefix(200))")
                #expect(response.status.code < 500, "\(route) with \(credential.label): \(response.status)")
            }
        }
    }

    @Test func theAuditLogNamesTheTokenAndTokensAreManagedOverHTTP() async throws {
        let harness = try APIHarness(access: AccessSettings(authentication: true))
        let admin = try await harness.registry.createToken(NewAccessToken(name: "root", scopes: [.admin]), actor: "bootstrap")
        try await harness.run { client in
            let auth = ["Authorization": "Bearer \(admin.secret.text)"]
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud"), actor: "mallory", headers: auth)
            let audit = try await client.call(.get, "/api/v1/models/fraud/audit", headers: auth).text
            #expect(audit.contains("\"actor\":\"root\"") && !audit.contains("mallory"))

            let created = try await client.call(
                .post, "/api/v1/tokens", json: CreateTokenRequest(name: "ci", scopes: ["write"], models: ["fraud"], expiresIn: "30d"),
                headers: auth)
            #expect(created.status == .created)
            let body = try created.decode(CreatedTokenResponse.self)
            #expect(TokenSecret(parsing: body.secret) != nil && body.token.createdBy == "root" && body.token.expiresAt != nil)
            let list = try await client.call(.get, "/api/v1/tokens", headers: auth)
            #expect(!list.text.contains(body.secret) && !list.text.contains(Registry.secretHash(body.secret)))
            #expect(try list.decode(TokenListResponse.self).tokens.map(\.name) == ["root", "ci"])
            let ci = ["Authorization": "Bearer \(body.secret)"]
            #expect(try await client.call(.get, "/api/v1/whoami", headers: ci).decode(WhoAmIResponse.self).token?.name == "ci")
            #expect(try await client.call(.get, "/api/v1/tokens", headers: ci).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/models/fraud/versions", json: RegisterVersionRequest(), headers: ci).status == .created)

            // Revocation applies to the very next request.
            #expect(try await client.call(.delete, "/api/v1/tokens/ci", headers: auth).status == .ok)
            let after = try await client.call(.post, "/api/v1/models/fraud/versions", json: RegisterVersionRequest(), headers: ci)
            #expect(after.status == .unauthorized && after.error?.message.contains("revoked") == true)
            #expect(after.headers[.wwwAuthenticate] == #"Bearer realm="modelyard""#)

            // Bad requests are 400s that say what to fix.
            for bad in [
                CreateTokenRequest(name: "x y", scopes: ["read"]), CreateTokenRequest(name: "x", scopes: ["root"]),
                CreateTokenRequest(name: "x", scopes: []), CreateTokenRequest(name: "x", scopes: ["read"], expiresIn: "soon"),
                CreateTokenRequest(name: "x", scopes: ["read"], models: ["a/b"]),
            ] {
                #expect(try await client.call(.post, "/api/v1/tokens", json: bad, headers: auth).status == .badRequest)
            }
            #expect(try await client.call(.post, "/api/v1/tokens", json: CreateTokenRequest(name: "root", scopes: ["read"]), headers: auth).status == .conflict)
            #expect(try await client.call(.post, "/api/v1/tokens", raw: #"{"name":"x","scopes":["read"],"admin":true}"#, headers: auth).status == .badRequest)
            #expect(try await client.call(.delete, "/api/v1/tokens/nobody", headers: auth).status == .notFound)
        }
    }

    /// What a page of another site can make a browser send — a form post (URL-encoded, multipart or text/plain) or a
    /// "simple" `fetch` — is refused and changes nothing, with or without authentication.
    @Test(arguments: [false, true]) func crossSiteRequestsChangeNothing(authentication: Bool) async throws {
        let harness = try APIHarness(access: AccessSettings(authentication: authentication))
        let admin = try await harness.registry.createToken(NewAccessToken(name: "root", scopes: [.admin]), actor: "bootstrap")
        try await harness.run { client in
            let auth = ["Authorization": "Bearer \(admin.secret.text)"]
            func send(_ type: String, _ body: String, origin: String?, uri: String = "/api/v1/models", bearer: Bool = false) async throws -> TestResponse {
                // The test client sends requests to `localhost`.
                var headers: HTTPFields = [.contentType: type]
                if let origin { headers[Self.origin] = origin }
                if bearer { headers[Self.authorization] = "Bearer \(admin.secret.text)" }
                return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            for (type, body) in [
                ("application/x-www-form-urlencoded", "name=evil"), ("text/plain", #"{"name":"evil"}"#),
                ("text/plain;charset=UTF-8", #"{"name":"evil"}"#), ("multipart/form-data; boundary=x", "--x--"),
            ] {
                for origin in ["http://evil.example", nil] {
                    let response = try await send(type, body, origin: origin)
                    #expect([.unsupportedMediaType, .forbidden, .unauthorized].contains(response.status), "\(type) \(origin ?? "-")")
                }
            }
            // JSON from a foreign origin without a bearer token (a CORS-less fetch a browser would still send).
            #expect(try await send("application/json", #"{"name":"evil"}"#, origin: "http://evil.example").status == .forbidden)
            #expect(try await send("application/json", #"{"name":"evil"}"#, origin: "null").status == .forbidden)
            // A dashboard form from another site.
            #expect(try await send("application/x-www-form-urlencoded", "name=evil", origin: "http://evil.example", uri: "/register/model").status == .forbidden)
            // A prediction changes nothing: `curl -d` (form-encoded JSON) still reaches it.
            #expect(try await send("application/x-www-form-urlencoded", #"{"inputs": [[1]]}"#, origin: nil, uri: "/api/v1/models/fraud/predict").status != .unsupportedMediaType)
            let models = try await client.call(.get, "/api/v1/models", headers: auth).text
            #expect(!models.contains("evil"))

            // The same requests from this site, or with a bearer token, go through.
            let same = try await send("application/json", #"{"name":"fine"}"#, origin: "http://localhost", bearer: authentication)
            #expect(same.status == .created, "\(same.text)")
            #expect(try await send("application/json", #"{"name":"fine2"}"#, origin: "http://evil.example", bearer: true).status == .created)
        }
    }

    @Test func corsAllowsOnlyListedOrigins() async throws {
        let harness = try APIHarness(access: AccessSettings(authentication: true, corsOrigins: ["https://app.example.com"]))
        let reader = try await harness.registry.createToken(NewAccessToken(name: "web", scopes: [.read]), actor: "bootstrap")
        try await harness.run { client in
            let request = HTTPField.Name("Access-Control-Request-Method")!
            let preflight = try await client.execute(
                uri: "/api/v1/models", method: .options,
                headers: [Self.origin: "https://app.example.com", request: "GET"], body: nil)
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example.com")
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            #expect(preflight.headers[.accessControlAllowCredentials] == nil)
            let foreign = try await client.execute(
                uri: "/api/v1/models", method: .options, headers: [Self.origin: "https://evil.example", request: "GET"], body: nil)
            #expect(foreign.status == .forbidden && foreign.headers[.accessControlAllowOrigin] == nil)

            let get = try await client.execute(
                uri: "/api/v1/models", method: .get,
                headers: [Self.origin: "https://app.example.com", Self.authorization: "Bearer \(reader.secret.text)"], body: nil)
            #expect(get.status == .ok && get.headers[.accessControlAllowOrigin] == "https://app.example.com")
            // A listed origin may send JSON without a bearer token: it still needs one to be authorised.
            let post = try await client.execute(
                uri: "/api/v1/models", method: .post,
                headers: [Self.origin: "https://app.example.com", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"x"}"#))
            #expect(post.status == .unauthorized)
            // ... and its script can read why.
            #expect(post.headers[.accessControlAllowOrigin] == "https://app.example.com")
        }
    }

    @Test func rateLimitsAnswer429WithRetryAfter() async throws {
        let clock = TestClock()
        let harness = try APIHarness(access: AccessSettings(authentication: true, requestsPerMinute: 3), clock: { clock.now })
        let one = try await harness.registry.createToken(NewAccessToken(name: "one", scopes: [.read]), actor: "x")
        let two = try await harness.registry.createToken(NewAccessToken(name: "two", scopes: [.read]), actor: "x")
        try await harness.run { client in
            let auth = ["Authorization": "Bearer \(one.secret.text)"]
            for _ in 0..<3 { #expect(try await client.call(.get, "/api/v1/models", headers: auth).status == .ok) }
            let limited = try await client.call(.get, "/api/v1/models", headers: auth)
            #expect(limited.status == .tooManyRequests && limited.error?.code == "rate_limited")
            #expect(limited.headers[.retryAfter] == "20")
            // Another token has its own budget; time refills the first.
            #expect(try await client.call(.get, "/api/v1/models", headers: ["Authorization": "Bearer \(two.secret.text)"]).status == .ok)
            clock.advance(20)
            #expect(try await client.call(.get, "/api/v1/models", headers: auth).status == .ok)
            #expect(try await client.call(.get, "/api/v1/models", headers: auth).status == .tooManyRequests)
        }
    }

    /// The dashboard signs in with a token kept in an HttpOnly, SameSite=Strict cookie, shows who is signed in and
    /// only the actions the token allows, and sends a browser whose token was revoked back to sign in.
    @Test func dashboardSignsInWithAToken() async throws {
        let harness = try APIHarness(access: AccessSettings(authentication: true))
        let reader = try await harness.registry.createToken(NewAccessToken(name: "viewer", scopes: [.read]), actor: "x")
        try await harness.run { client in
            let html: HTTPFields = [.accept: "text/html"]
            let home = try await client.execute(uri: "/models/fraud?x=1", method: .get, headers: html, body: nil)
            #expect(home.status == .seeOther && home.headers[.location] == "/login?next=%2Fmodels%2Ffraud%3Fx%3D1")
            let page = try await client.execute(uri: "/login?next=/", method: .get, headers: html, body: nil)
            #expect(page.status == .ok && page.text.contains("name=\"token\""))

            let csrf = DashboardRoutesTests.token
            func login(_ token: String, next: String = "/") async throws -> TestResponse {
                try await DashboardRoutesTests.post(client, "/login", form: [("csrf", csrf), ("next", next), ("token", token)])
            }
            let wrong = try await login(TokenSecret.generate().text)
            #expect(wrong.status == .unauthorized && wrong.text.contains("unknown") && wrong.headers[.setCookie]?.contains("modelyard_session") != true)
            let offsite = try await login(reader.secret.text, next: "//evil.example/")
            #expect(offsite.headers[.location] == "/")
            let signedIn = try await login(reader.secret.text, next: "/imports")
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/imports")
            let cookie = try #require(signedIn.headers[.setCookie])
            #expect(cookie.hasPrefix("modelyard_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))

            let session: HTTPFields = [.accept: "text/html", Self.cookie: "modelyard_session=\(reader.secret.text); modelyard_csrf=\(csrf)"]
            let imports = try await client.execute(uri: "/imports", method: .get, headers: session, body: nil)
            #expect(imports.status == .ok && imports.text.contains("viewer") && imports.text.contains("Sign out"))
            let register = try await client.execute(uri: "/register", method: .get, headers: session, body: nil)
            #expect(register.status == .ok && register.text.contains("data-needs-scope=\"write\"") && !register.text.contains("action=\"/register/model\""))

            _ = try await harness.registry.revokeToken(named: "viewer", actor: "x")
            let revoked = try await client.execute(uri: "/imports", method: .get, headers: session, body: nil)
            #expect(revoked.status == .seeOther && revoked.headers[.location]?.hasSuffix("&expired=1") == true)
        }
    }

    /// The documented bounds answer 400 or 413 with a message that says what to do.
    @Test func limitsAreClearClientErrors() async throws {
        try await APIHarness().run { client in
            let deep = #"{"name": "x", "tags": "# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
            let nested = try await client.call(.post, "/api/v1/models", raw: deep)
            #expect(nested.status == .badRequest && nested.error?.message.contains("512 levels") == true)
            let page = try await client.call(.get, "/api/v1/models?limit=1001")
            #expect(page.status == .badRequest && page.error?.message.contains("between 1 and 1000") == true)
            let big = try await client.call(.post, "/api/v1/tokens", raw: #"{"name": ""# + String(repeating: "x", count: 70_000) + #""}"#)
            #expect(big.status == .contentTooLarge && big.error?.code == "payload_too_large")
        }
    }
}
