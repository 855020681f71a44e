import Crypto
import Dashboard
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryCore

/// The dashboard's per-browser state, all of it in two cookies so any replica can serve any request:
/// a CSRF token (double-submit: forms echo it, the server compares) and the last actor name typed.
struct DashboardSession {
    static let csrfCookie = "modelyard_csrf"
    static let actorCookie = "modelyard_actor"

    var csrfToken: String
    /// Whether the token is new and the response must set the cookie.
    var isNew: Bool
    var actor: String
    /// The token the browser signed in with (nil when the server asks for none).
    var signedIn: AccessToken?

    init(request: Request, context: ModelyardRequestContext) {
        signedIn = context.token
        if let token = request.cookies[Self.csrfCookie]?.value, Self.isWellFormed(token) {
            csrfToken = token
            isNew = false
        } else {
            csrfToken = Self.newToken()
            isNew = true
        }
        actor = request.cookies[Self.actorCookie]?.value.removingPercentEncoding ?? ""
    }

    func context(now: Date, notice: String? = nil) -> PageContext {
        PageContext(csrfToken: csrfToken, actor: signedIn?.name ?? actor, now: now, notice: notice, signedIn: signedIn)
    }

    /// Refuses a state-changing request whose form token does not match the cookie, or that another site sent.
    static func verify(_ request: Request, form: [String: String]) throws {
        if let origin = request.headers[.origin], origin != "null" {
            guard AccessMiddleware.isSameOrigin(origin, request: request) else {
                throw RegistryError(.permissionDenied, "this form was sent from another site (\(origin.prefix(100))); open the dashboard and submit it there")
            }
        }
        guard let cookie = request.cookies[csrfCookie]?.value, isWellFormed(cookie), let sent = form["csrf"],
            constantTimeEqual(cookie, sent)
        else {
            throw RegistryError(.permissionDenied, "the form has expired or lacks its security token; reload the page and submit it again")
        }
    }

    /// Adds the cookies this session needs to a response.
    func apply(to response: inout Response, actor newActor: String? = nil) {
        if isNew {
            response.setCookie(Cookie(name: Self.csrfCookie, value: csrfToken, path: "/", httpOnly: true, sameSite: .strict))
        }
        if let newActor, !newActor.isEmpty, newActor != actor {
            response.setCookie(
                Cookie(name: Self.actorCookie, value: Links.segment(newActor), maxAge: 31_536_000, path: "/", httpOnly: true, sameSite: .strict))
        }
    }

    static func newToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }

    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// HTML responses and form bodies.
enum DashboardResponse {
    static func html(_ page: HTML, status: HTTPResponse.Status = .ok, session: DashboardSession, actor: String? = nil) -> Response {
        var response = Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page.text)))
        session.apply(to: &response, actor: actor)
        return response
    }

    /// 303 See Other: after a successful POST the browser loads `location` with GET (no resubmission on reload).
    static func redirect(_ location: String, session: DashboardSession, actor: String? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        session.apply(to: &response, actor: actor)
        return response
    }

    static func json(_ object: [String: String], status: HTTPResponse.Status = .ok, session: DashboardSession) throws -> Response {
        var response = try JSONBody.response(object, status: status)
        session.apply(to: &response)
        return response
    }

    /// Largest form the dashboard accepts (params and scores as text fit easily).
    static let formLimit = 1024 * 1024

    /// An `application/x-www-form-urlencoded` body as field → value (the last of repeated fields wins).
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: formLimit)
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(parts[0]) else {
                throw RegistryError.invalidArgument("the form is not valid URL encoding")
            }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else {
                throw RegistryError.invalidArgument("the form field '\(key.prefix(40))' is not valid URL encoding")
            }
            fields[key] = value
        }
        return fields
    }

    private static func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// Whether the caller is the register page's script (it asks for JSON).
    static func wantsJSON(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("application/json") ?? false
    }
}
