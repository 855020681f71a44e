import RegistryCore

/// The dashboard's URLs, built in one place so a page never concatenates an unencoded name into a path.
public enum Links {
    public static let models = "/"
    public static let register = "/register"
    public static let imports = "/imports"
    public static let monitoring = "/monitoring"

    public static func model(_ name: ModelName) -> String { "/models/" + segment(name.rawValue) }

    public static func version(_ name: ModelName, _ version: SemanticVersion) -> String {
        model(name) + "/versions/" + version.description
    }

    public static func compare(_ name: ModelName, _ versions: [SemanticVersion]) -> String {
        model(name) + "/compare?" + versions.map { "v=" + $0.description }.joined(separator: "&")
    }

    public static func deployments(_ name: ModelName) -> String { model(name) + "/deployments" }

    public static func policy(_ name: ModelName) -> String { model(name) + "/policy" }

    /// The model's benchmark history, one suite's (or the latency benchmarks' without one).
    public static func benchmarks(_ name: ModelName, suite: SuiteName? = nil) -> String {
        model(name) + "/benchmarks" + (suite.map { "?suite=" + $0.rawValue } ?? "")
    }

    /// The API's export of the same table (`csv` or `markdown`).
    public static func benchmarkExport(_ name: ModelName, suite: SuiteName?, format: String) -> String {
        "/api/v1/models/" + segment(name.rawValue) + "/benchmarks?" + (suite.map { "suite=" + $0.rawValue + "&" } ?? "") + "format=" + format
    }

    public static func artifact(_ name: ModelName, _ version: SemanticVersion, _ path: ArtifactPath) -> String {
        "/api/v1/models/" + segment(name.rawValue) + "/versions/" + version.description + "/artifacts/"
            + path.rawValue.split(separator: "/").map { segment(String($0)) }.joined(separator: "/")
    }

    /// A run's page in the MLflow-compatible API's terms is not ours to render; link its JSON.
    public static func run(_ id: String) -> String { "/api/v1/runs/" + segment(id) }

    /// Percent-encodes everything outside RFC 3986's unreserved set.
    public static func segment(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// A query string from pairs, values percent-encoded.
    public static func query(_ pairs: [(String, String)]) -> String {
        pairs.isEmpty ? "" : "?" + pairs.map { segment($0.0) + "=" + segment($0.1) }.joined(separator: "&")
    }
}
