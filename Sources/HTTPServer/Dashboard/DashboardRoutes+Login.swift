import Dashboard
import Foundation
import Hummingbird
import Registry
import RegistryCore

/// Signing in to the dashboard with an API token, and out again.
extension DashboardRoutes {
    func loginPage(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let message = request.query("expired") == "1" ? "Your token expired or was revoked; sign in with a valid one." : nil
        let page = LoginPage(next: Self.localPath(request.query("next")), message: message, authentication: authentication)
        return DashboardResponse.html(page.render(session.context(now: registry.now())), session: session)
    }

    func login(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let form = try await DashboardResponse.form(request)
        try DashboardSession.verify(request, form: form)
        let next = Self.localPath(form["next"])
        do {
            _ = try await registry.authenticate((form["token"] ?? "").trimmingCharacters(in: .whitespaces)[...])
            var response = DashboardResponse.redirect(next, session: session)
            // The secret itself is the session: revoking the token signs every browser out at once. HttpOnly keeps
            // it from scripts; SameSite=Strict keeps it off requests other sites start.
            response.setCookie(
                Cookie(
                    name: AccessMiddleware.sessionCookie, value: (form["token"] ?? "").trimmingCharacters(in: .whitespaces),
                    path: "/", httpOnly: true, sameSite: .strict))
            return response
        } catch let error as RegistryError where error.code == .unauthenticated {
            let page = LoginPage(next: next, message: error.message, authentication: authentication)
            return DashboardResponse.html(
                page.render(session.context(now: registry.now())), status: .unauthorized, session: session)
        }
    }

    func logout(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        try DashboardSession.verify(request, form: try await DashboardResponse.form(request))
        var response = DashboardResponse.redirect("/login", session: session)
        response.setCookie(Cookie(name: AccessMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    /// Only a path on this site (never `//host` or a URL) is followed after signing in.
    static func localPath(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.hasPrefix("/\\"), text.utf8.count <= 2000 else {
            return "/"
        }
        return text
    }
}
