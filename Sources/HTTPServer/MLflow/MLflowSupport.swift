import Foundation
import Hummingbird
import RegistryCore

/// Shared pieces of the MLflow routes: required-field checks, ids, query lists, audit context.
enum MLflow {
    /// The actor recorded for changes made through the MLflow API when no `X-Modelyard-Actor` header names one.
    static let defaultActor = "mlflow"

    static func required<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else {
            throw RegistryError.invalidArgument("missing value for required parameter '\(name)'")
        }
        if let text = value as? String, text.isEmpty {
            throw RegistryError.invalidArgument("missing value for required parameter '\(name)'")
        }
        return value
    }

    static func experimentID(_ text: String?) throws -> Int64 {
        let text = try required(text, "experiment_id")
        guard let id = Int64(text), id >= 0 else {
            throw RegistryError.invalidArgument("experiment_id '\(text.prefix(40))' is not a valid experiment id")
        }
        return id
    }

    /// Experiments one search may name.
    static let maxExperimentIDs = 1_000

    /// A search's `experiment_ids`, each checked, at most `maxExperimentIDs`.
    static func experimentIDs(_ texts: [String]?) throws -> [Int64] {
        let texts = texts ?? []
        guard texts.count <= maxExperimentIDs else {
            throw RegistryError.invalidArgument(
                "experiment_ids names \(texts.count) experiments; search at most \(maxExperimentIDs) at once")
        }
        return try texts.map { try experimentID($0) }
    }

    static func modelName(_ text: String?) throws -> ModelName {
        try ModelName(validating: required(text, "name"))
    }

    /// MLflow's version number (`"3"`) or Modelyard's semantic version (`"1.2.0"`).
    static func versionSelector(_ text: String?) throws -> VersionSelector {
        let text = try required(text, "version")
        if text.hasPrefix("@") {
            throw RegistryError.invalidArgument("version '\(text.prefix(40))' must be a version number such as 3")
        }
        do {
            return try VersionSelector(parsing: text)
        } catch {
            throw RegistryError.invalidArgument(
                "version '\(text.prefix(40))' is not a version number (3) or a semantic version (1.2.0)")
        }
    }

    /// An MLflow alias: a valid environment name, and not `latest` or `v<digits>` (those name versions).
    static func alias(_ text: String?) throws -> EnvironmentName {
        let text = try required(text, "alias")
        let lowered = text.lowercased()
        if lowered == "latest" || (lowered.hasPrefix("v") && lowered.count > 1 && lowered.dropFirst().allSatisfy(\.isNumber)) {
            throw RegistryError.invalidArgument(
                "alias '\(text)' is reserved: 'latest' and 'v<number>' already name versions; pick another alias")
        }
        return try EnvironmentName(validating: text)
    }
}

extension Request {
    /// Who acts through the MLflow API: the `X-Modelyard-Actor` header, else `mlflow`.
    func mlflowAudit() -> AuditContext {
        AuditContext(actor: headers[Self.actorHeader] ?? MLflow.defaultActor, reason: headers[Self.reasonHeader])
    }

}

/// A query string decoded as HTML forms encode it (`+` is a space), which is how MLflow's client (`requests`)
/// sends GET parameters; repeated keys keep every value.
struct FormQuery {
    private var values: [String: [String]] = [:]

    init(_ request: Request) {
        guard let query = request.uri.query, !query.isEmpty else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[key, default: []].append(value)
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value; empty counts as absent.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.first, !value.isEmpty else { return nil }
        return value
    }

    func all(_ name: String) -> [String] { (values[name] ?? []).filter { !$0.isEmpty } }

    func int64(_ name: String) throws -> Int64? {
        guard let text = self[name] else { return nil }
        guard let value = Int64(text) else {
            throw RegistryError.invalidArgument("parameter '\(name)' must be an integer, not '\(text.prefix(40))'")
        }
        return value
    }
}
