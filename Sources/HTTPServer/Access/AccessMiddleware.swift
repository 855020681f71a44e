import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Registry
import RegistryCore
import Synchronization

/// How the server decides who may do what.
public struct AccessSettings: Sendable, Equatable {
    /// Whether every route but the open ones needs a token (`serve` turns it on for non-loopback addresses).
    public var authentication: Bool
    /// Origins (`https://app.example.com`) whose scripts may call the API from another host; `*` allows any origin,
    /// without credentials. Empty: none.
    public var corsOrigins: [String]
    /// Requests a token may make per minute (nil: no limit).
    public var requestsPerMinute: Int?

    public init(authentication: Bool = false, corsOrigins: [String] = [], requestsPerMinute: Int? = nil) {
        self.authentication = authentication
        self.corsOrigins = corsOrigins
        self.requestsPerMinute = requestsPerMinute
    }

    /// The origin to echo in `Access-Control-Allow-Origin` when the allow-list names it (or is `*`); nil otherwise.
    func allowedOrigin(_ origin: String) -> String? {
        if corsOrigins.contains(origin) { return origin }
        return corsOrigins.contains("*") ? "*" : nil
    }
}

/// Authentication, authorisation, cross-site protection and CORS for every route, in one place. It runs after the
/// router matched the request, so it knows the route (`RouteAccess.table`) and its `{model}`.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ModelyardRequestContext
    let registry: Registry
    let settings: AccessSettings
    let limiter: RateLimiter?

    static let sessionCookie = "modelyard_session"
    static let allowedHeaders = "Authorization, Content-Type, X-Modelyard-Actor, X-Modelyard-Reason"

    init(registry: Registry, settings: AccessSettings) {
        self.registry = registry
        self.settings = settings
        self.limiter = settings.requestsPerMinute.map(RateLimiter.init(perMinute:))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        let allowedOrigin = request.headers[.origin].flatMap(settings.allowedOrigin)
        // No route matched: the router answers 404 (or 405) and nothing runs.
        guard let endpoint = context.coreContext.endpointPath.value else { return try await next(request, context) }
        guard let allowedOrigin else { return try await check(request, context: context, endpoint: endpoint, next: next) }
        // A listed origin's script may read the answer, refusals included (it needs to see why).
        var response: Response
        do {
            response = try await check(request, context: context, endpoint: endpoint, next: next)
        } catch {
            response = try APIErrorMiddleware<Context>.response(APIErrorMiddleware<Context>.map(error), original: error, path: path)
        }
        response.headers[.accessControlAllowOrigin] = allowedOrigin
        response.headers[.vary] = "Origin"
        return response
    }

    func check(
        _ request: Request, context: Context, endpoint: String, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let origin = request.headers[.origin]
        let allowedOrigin = origin.flatMap(settings.allowedOrigin)
        let route = "\(request.method.rawValue) \(endpoint)"
        let access = RouteAccess.table[route] ?? RouteAccess.unlisted
        let bearer = Self.bearer(request)

        // Predictions and searches sent with POST change nothing (so `curl -d` keeps working for them).
        let changesState = request.method != .get && request.method != .head && request.method != .options
            && access.requirement != .predict && access.requirement != .read
        if changesState {
            try refuseCrossSite(request, origin: origin, allowed: allowedOrigin != nil, bearer: bearer != nil, path: path)
        }

        var request = request
        var context = context
        if settings.authentication, access.requirement != .none {
            guard let credential = bearer ?? request.cookies[Self.sessionCookie]?.value[...] else {
                if Self.isPageLoad(request) { return Self.redirectToLogin(request) }
                throw RegistryError(
                    .unauthenticated,
                    "this server needs a token: send `Authorization: Bearer <token>` (CLI: --token or MODELYARD_TOKEN)")
            }
            let token: AccessToken
            do {
                token = try await registry.authenticate(credential)
            } catch let error as RegistryError where error.code == .unauthenticated && bearer == nil && Self.isPageLoad(request) {
                return Self.redirectToLogin(request, expired: true)
            }
            try authorize(token, access: access, context: context, route: route)
            if let limiter, let wait = limiter.admit(token.secretHash, now: registry.now()) {
                var response = try APIErrorMiddleware<Context>.response(
                    RegistryError(.rateLimited, "the token '\(token.name)' is over its limit of \(limiter.perMinute) requests a minute; retry in \(wait) s"),
                    original: RegistryError(.rateLimited, ""), path: path)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            context.token = token
            var head = request.head
            head.headerFields[Request.actorHeader] = token.name
            request = Request(head: head, body: request.body)
        }

        return try await next(request, context)
    }

    /// Refuses what a page of another site could have sent: a state-changing request from a foreign `Origin`
    /// without a bearer token (a browser sends none cross-site unless CORS allowed it), or a form or plain-text body
    /// to a JSON endpoint (the bodies a cross-site form or a "simple" `fetch` can send without asking first).
    func refuseCrossSite(_ request: Request, origin: String?, allowed: Bool, bearer: Bool, path: String) throws {
        if let origin, !bearer, !allowed, !Self.isSameOrigin(origin, request: request) {
            throw RegistryError(
                .permissionDenied,
                "a state-changing request from another site (\(origin.prefix(100))) is refused; call the API with a bearer token, or add the origin to --cors-origin")
        }
        // A page can send a form or plain text only with GET or POST; PUT, PATCH and DELETE from another origin need
        // a CORS preflight, which an unlisted origin never passes. PUT also carries raw uploads of any media type.
        guard request.method == .post, !Self.isDashboard(path), let type = request.headers[.contentType]?.lowercased()
        else { return }
        let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let multipartAllowed = request.method == .post && path == "/api/v1/imports"
        if mediaType == "application/x-www-form-urlencoded" || mediaType == "text/plain"
            || (mediaType == "multipart/form-data" && !multipartAllowed)
        {
            throw RegistryError(
                .unsupportedMediaType,
                "this endpoint takes JSON, not \(mediaType.prefix(60)); send the body with `Content-Type: application/json`")
        }
    }

    func authorize(_ token: AccessToken, access: RouteAccess, context: Context, route: String) throws {
        guard token.hasScope(for: access.requirement) else {
            let needed = access.requirement.satisfiedBy.filter { $0 != .admin }.map(\.rawValue).sorted()
            throw RegistryError(
                .permissionDenied,
                "the token '\(token.name)' (scopes: \(token.scopes.map(\.rawValue).joined(separator: ", "))) may not do this; it needs \(needed.isEmpty ? "admin" : needed.joined(separator: " or ")) scope")
        }
        guard !token.models.isUnrestricted, !access.anyModel, access.requirement != .authenticated else { return }
        guard let model = context.parameters.get("model") else {
            throw RegistryError(
                .permissionDenied,
                "the token '\(token.name)' is limited to \(token.models.description) and this endpoint is not about one model; use a token without a model limit")
        }
        guard token.models.allows(model) else {
            throw RegistryError(
                .permissionDenied, "the token '\(token.name)' is limited to \(token.models.description), not '\(model.prefix(100))'")
        }
    }

    static func bearer(_ request: Request) -> Substring? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].drop { $0 == " " }
    }

    static func isSameOrigin(_ origin: String, request: Request) -> Bool {
        guard let host = request.head.authority ?? request.headers[.init("Host")!] else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    /// The dashboard's pages and forms, as opposed to the APIs and operational endpoints.
    static func isDashboard(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path.hasPrefix("/v2") || path == "/healthz" || path == "/readyz" || path == "/metrics"
            || path == "/openapi.json" || path == "/health" || path == "/version")
    }

    /// A browser loading a dashboard page: it is sent to the login page instead of shown a JSON error.
    static func isPageLoad(_ request: Request) -> Bool {
        isDashboard(request.uri.path) && (request.headers[.accept]?.contains("text/html") ?? false)
    }

    static func redirectToLogin(_ request: Request, expired: Bool = false) -> Response {
        let next = request.method == .get ? request.uri.description : "/"
        var location = "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
        if expired { location += "&expired=1" }
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        if expired {
            response.setCookie(Cookie(name: sessionCookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }
}

/// Answers CORS preflights (`OPTIONS` with `Access-Control-Request-Method`) for allowed origins, before routing:
/// the router has no `OPTIONS` routes.
struct PreflightMiddleware: RouterMiddleware {
    typealias Context = ModelyardRequestContext
    let settings: AccessSettings

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .options, let origin = request.headers[.origin],
            request.headers[.accessControlRequestMethod] != nil
        else { return try await next(request, context) }
        guard let allowed = settings.allowedOrigin(origin) else {
            throw RegistryError(
                .permissionDenied, "the origin \(origin.prefix(100)) may not call this API; add it with --cors-origin")
        }
        return Response(
            status: .noContent,
            headers: [
                .accessControlAllowOrigin: allowed,
                .accessControlAllowMethods: "GET, HEAD, POST, PUT, PATCH, DELETE",
                .accessControlAllowHeaders: AccessMiddleware.allowedHeaders,
                .accessControlMaxAge: "600",
                .vary: "Origin",
            ])
    }
}

/// A token bucket per token: `perMinute` requests a minute, refilled continuously, with a burst of the same size.
final class RateLimiter: Sendable {
    let perMinute: Int
    private let buckets = Mutex<[String: (tokens: Double, at: Date)]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    /// `nil` when the request may go ahead; otherwise the whole seconds to wait.
    func admit(_ key: String, now: Date) -> Int? {
        let capacity = Double(perMinute)
        let perSecond = capacity / 60
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? (capacity, now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now.timeIntervalSince(bucket.at)) * perSecond)
            bucket.at = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }
}
