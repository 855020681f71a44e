import ArgumentParser
import Foundation

/// Options every client command shares.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (default: $MODELYARD_URL or http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "Who is acting, recorded in the audit log (default: $MODELYARD_ACTOR or $USER).")
    var actor: String?

    @Option(help: "API token, when the server asks for one (default: $MODELYARD_TOKEN).")
    var token: String?

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false

    var client: APIClient {
        let env = ProcessInfo.processInfo.environment
        return APIClient(
            baseURL: url ?? env["MODELYARD_URL"] ?? "http://127.0.0.1:8080",
            actor: actor ?? env["MODELYARD_ACTOR"] ?? env["USER"],
            token: token ?? env["MODELYARD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
    }

    func validate() throws {
        if let url, URL(string: url)?.scheme == nil {
            throw ValidationError("--url must be a URL such as http://127.0.0.1:8080")
        }
    }
}

/// API paths, with each user-supplied segment percent-encoded.
enum APIPath {
    static func model(_ name: String) -> String { "/api/v1/models/\(APIClient.segment(name))" }
    static func version(_ model: String, _ version: String) -> String {
        "\(Self.model(model))/versions/\(APIClient.segment(version))"
    }
    static func artifact(_ model: String, _ version: String, _ path: String) -> String {
        "\(Self.version(model, version))/artifacts/" + path.split(separator: "/", omittingEmptySubsequences: false)
            .map { APIClient.segment(String($0)) }.joined(separator: "/")
    }
    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { key, value in
            value.map { "\(key)=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? $0)" }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
