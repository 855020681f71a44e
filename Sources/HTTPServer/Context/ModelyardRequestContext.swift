import HTTPTypes
import Hummingbird
public import RegistryCore

/// The request context of every route: Hummingbird's core storage plus who is acting.
public struct ModelyardRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token the request authenticated with (nil when authentication is off or the route is open).
    public var token: AccessToken?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Bodies are collected with per-route limits (see `JSONBody`); this is the fallback for anything else.
    public var maxUploadSize: Int { 8 * 1024 * 1024 }
}

extension Request {
    // Literal header names are valid tokens; the initialiser cannot fail for them.
    static let actorHeader = HTTPField.Name("X-Modelyard-Actor")!
    static let reasonHeader = HTTPField.Name("X-Modelyard-Reason")!

    /// Who is acting and why, from the `X-Modelyard-Actor` / `X-Modelyard-Reason` headers; a body's `reason`
    /// overrides the header.
    func audit(reason bodyReason: String? = nil) -> AuditContext {
        AuditContext(actor: headers[Self.actorHeader], reason: bodyReason ?? headers[Self.reasonHeader])
    }
}
