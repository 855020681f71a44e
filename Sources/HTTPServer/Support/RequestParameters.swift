import Foundation
import Hummingbird
import RegistryCore

extension ModelyardRequestContext {
    /// A path parameter, percent-decoded (Hummingbird matches on the raw path).
    func pathParameter(_ name: String) throws -> String {
        guard let raw = parameters.get(name) else {
            throw RegistryError.invalidArgument("the path lacks '\(name)'")
        }
        guard let decoded = raw.removingPercentEncoding else {
            throw RegistryError.invalidArgument("'\(name)' in the path is not valid percent-encoding")
        }
        return decoded
    }

    func modelName() throws -> ModelName {
        try ModelName(validating: pathParameter("model"))
    }

    func versionSelector() throws -> VersionSelector {
        try VersionSelector(parsing: pathParameter("version"))
    }

    /// The artifact path captured by a trailing `**`, percent-decoded and validated.
    func artifactPath() throws -> ArtifactPath {
        let segments = try parameters.getCatchAll().map { segment -> String in
            guard let decoded = String(segment).removingPercentEncoding else {
                throw RegistryError.invalidArgument("the artifact path is not valid percent-encoding")
            }
            return decoded
        }
        return try ArtifactPath(validating: segments.joined(separator: "/"))
    }
}

extension Request {
    /// A query parameter, decoded; empty values count as absent.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    func queryInt(_ name: String) throws -> Int? {
        guard let text = query(name) else { return nil }
        guard let value = Int(text) else {
            throw RegistryError.invalidArgument("query parameter '\(name)' must be an integer, not '\(text.prefix(20))'")
        }
        return value
    }

    func pageRequest() throws -> PageRequest {
        try PageRequest(limit: queryInt("limit"), token: query("page_token"))
    }

    /// Whether the client asked for Markdown (`?format=markdown` or `Accept: text/markdown`).
    func wantsMarkdown() throws -> Bool {
        if let format = query("format") {
            switch format.lowercased() {
            case "markdown", "md": return true
            case "json": return false
            default: throw RegistryError.invalidArgument("format must be json or markdown")
            }
        }
        return headers[.accept]?.contains("text/markdown") ?? false
    }
}
