/// The one error type of the registry: a stable machine-readable code plus a message that says what was wrong
/// and what to do. Interfaces map the code to their own shape (HTTP status, CLI exit) in exactly one place.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable error code. A struct rather than an enum so new codes can be added without breaking clients.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The addressed model, version, artifact or alias does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// A resource with the same identity exists already.
        public static let alreadyExists = Code(rawValue: "already_exists")
        /// The request is malformed or names an impossible value.
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// The request is well formed but the registry's state forbids it now (e.g. deleting a deployed version).
        public static let failedPrecondition = Code(rawValue: "failed_precondition")
        /// A deploy was refused because the version failed validation under the model's policy.
        public static let validationFailed = Code(rawValue: "validation_failed")
        /// A deploy, rollback or traffic change was refused because the version's embeddings are not comparable
        /// with those of the version serving (dimension, tokenizer, pooling or normalisation differ): vectors in an
        /// index would silently stop matching. Acknowledge the re-indexing (`allow_incompatible` and a reason).
        public static let incompatibleEmbedding = Code(rawValue: "incompatible_embedding")
        /// The request body or a file is larger than the configured limit.
        public static let payloadTooLarge = Code(rawValue: "payload_too_large")
        /// Credentials are missing or invalid.
        public static let unauthenticated = Code(rawValue: "unauthenticated")
        /// Credentials are valid but do not allow this action.
        public static let permissionDenied = Code(rawValue: "permission_denied")
        /// The body's media type is not one this endpoint accepts (a form or plain text where JSON is expected).
        public static let unsupportedMediaType = Code(rawValue: "unsupported_media_type")
        /// The token sent more requests than its rate limit allows; retry after the time the response names.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// Something failed inside the server; the message never carries internals.
        public static let `internal` = Code(rawValue: "internal")
        /// The request was fine but cannot be served right now (a model failed at run time, the pool is full).
        public static let unavailable = Code(rawValue: "unavailable")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func notFound(_ message: String) -> Self { .init(.notFound, message) }
    public static func alreadyExists(_ message: String) -> Self { .init(.alreadyExists, message) }
    public static func invalidArgument(_ message: String) -> Self { .init(.invalidArgument, message) }
    public static func failedPrecondition(_ message: String) -> Self { .init(.failedPrecondition, message) }
    public static func payloadTooLarge(_ message: String) -> Self { .init(.payloadTooLarge, message) }
    public static func unavailable(_ message: String) -> Self { .init(.unavailable, message) }
}
