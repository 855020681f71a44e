import Dashboard
import Hummingbird
import Registry
import RegistryCore
import ModelyardAPI

/// Dashboard failures are pages, not JSON: the status, what went wrong in the server's words, and a way back.
struct DashboardErrorMiddleware: RouterMiddleware {
    typealias Context = ModelyardRequestContext
    let registry: Registry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let mapped = APIErrorMiddleware<Context>.map(error)
            if mapped.code == .internal {
                context.logger.error(
                    "dashboard request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            let session = DashboardSession(request: request, context: context)
            if DashboardResponse.wantsJSON(request) {
                var response = try JSONBody.response(
                    APIErrorBody(code: mapped.code.rawValue, message: mapped.message), status: mapped.httpStatus)
                session.apply(to: &response)
                return response
            }
            let title: String
            switch mapped.code {
            case .notFound: title = "Not found"
            case .invalidArgument: title = "That request is not valid"
            case .permissionDenied: title = "Not allowed"
            case .failedPrecondition, .alreadyExists: title = "That cannot be done now"
            default: title = "Something went wrong"
            }
            let html = PageLayout.error(
                status: Int(mapped.httpStatus.code), title: title, message: mapped.message,
                context: session.context(now: registry.now()), back: request.headers[.referer].flatMap(Self.sameSitePath))
            return DashboardResponse.html(html, status: mapped.httpStatus, session: session)
        }
    }

    /// Only a path on this site is offered as the way back.
    static func sameSitePath(_ referer: String) -> String? {
        guard let scheme = referer.range(of: "://") else { return nil }
        let rest = referer[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        return String(rest[slash...])
    }
}
