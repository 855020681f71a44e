import Foundation
public import Hummingbird
public import RegistryCore
import ModelyardAPI

/// The JSON error body every `/api/v1` failure carries: `{"error": {"code": "...", "message": "..."}}`.
extension RegistryError {
    /// The one place a registry error code becomes an HTTP status.
    public var httpStatus: HTTPResponse.Status {
        switch code {
        case .notFound: return .notFound
        case .alreadyExists: return .conflict
        case .invalidArgument: return .badRequest
        case .failedPrecondition, .validationFailed, .incompatibleEmbedding: return .conflict
        case .payloadTooLarge: return .contentTooLarge
        case .unauthenticated: return .unauthorized
        case .permissionDenied: return .forbidden
        case .unavailable: return .serviceUnavailable
        case .unsupportedMediaType: return .unsupportedMediaType
        case .rateLimited: return .tooManyRequests
        default: return .internalServerError
        }
    }
}

/// Turns every error a route throws into the API's JSON error shape; unknown errors become a 500 whose message
/// carries no internals (the details go to the log).
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let mapped = Self.map(error)
            if mapped.code == .internal {
                context.logger.error(
                    "request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            return try Self.response(mapped, original: error, path: request.uri.path)
        }
    }

    /// The error in the shape of the surface `path` belongs to; a 401 names the scheme to authenticate with.
    static func response(_ mapped: RegistryError, original: any Error, path: String) throws -> Response {
        var response: Response
        if MLflowErrors.applies(to: path) {
            response = MLflowErrors.response(mapped, original: original)
        } else if path.hasPrefix("/v2/") || path == "/v2" {
            // The inference protocol's error shape: {"error": "message"}.
            response = try JSONBody.response(["error": mapped.message], status: mapped.httpStatus)
        } else {
            response = try JSONBody.response(
                APIErrorBody(code: mapped.code.rawValue, message: mapped.message), status: mapped.httpStatus)
        }
        if mapped.code == .unauthenticated {
            response.headers[.wwwAuthenticate] = #"Bearer realm="modelyard""#
        }
        return response
    }

    static func map(_ error: any Error) -> RegistryError {
        switch error {
        case let error as RegistryError:
            return error
        case let error as DecodingError:
            return .invalidArgument(APIJSON.describe(error))
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return .notFound("no such endpoint; see /openapi.json for the API")
            case .contentTooLarge:
                return .payloadTooLarge("the request body is larger than this endpoint accepts")
            case .methodNotAllowed:
                return .invalidArgument("this endpoint does not support that method; see /openapi.json")
            default:
                if (400..<500).contains(error.status.code) {
                    return RegistryError(
                        error.status.code == 413 ? .payloadTooLarge : .invalidArgument,
                        error.body ?? error.status.reasonPhrase)
                }
                return RegistryError(.internal, "the server failed to handle the request")
            }
        default:
            return RegistryError(.internal, "the server failed to handle the request")
        }
    }
}

/// Errors on the MLflow surfaces in MLflow's shape, `{"error_code": "...", "message": "..."}`, with the statuses
/// its client expects. Client errors are never 5xx: the client retries those for minutes.
enum MLflowErrors {
    static func applies(to path: String) -> Bool {
        path.hasPrefix("/api/2.0/") || path.hasPrefix("/api/3.0/")
    }

    static func response(_ error: RegistryError, original: any Error) -> Response {
        let (code, status): (String, HTTPResponse.Status)
        switch error.code {
        case .notFound:
            if let http = original as? HTTPError, http.status == .notFound {
                (code, status) = ("ENDPOINT_NOT_FOUND", .notFound)
            } else {
                (code, status) = ("RESOURCE_DOES_NOT_EXIST", .notFound)
            }
        case .alreadyExists: (code, status) = ("RESOURCE_ALREADY_EXISTS", .badRequest)
        case .invalidArgument, .failedPrecondition: (code, status) = ("INVALID_PARAMETER_VALUE", .badRequest)
        case .validationFailed, .incompatibleEmbedding: (code, status) = ("INVALID_STATE", .conflict)
        case .payloadTooLarge: (code, status) = ("INVALID_PARAMETER_VALUE", .contentTooLarge)
        case .unauthenticated: (code, status) = ("UNAUTHENTICATED", .unauthorized)
        case .permissionDenied: (code, status) = ("PERMISSION_DENIED", .forbidden)
        case .unsupportedMediaType: (code, status) = ("INVALID_PARAMETER_VALUE", .unsupportedMediaType)
        case .rateLimited: (code, status) = ("REQUEST_LIMIT_EXCEEDED", .tooManyRequests)
        default: (code, status) = ("INTERNAL_ERROR", .internalServerError)
        }
        return MLflowJSON.object([("error_code", .string(code)), ("message", .string(error.message))]).response(status: status)
    }
}
