import Foundation
import RegistryCore

/// The register page's form fields turned into the registry's own requests, with errors that name the field.
public enum RegisterForms {
    /// `key=value` per line (blank lines and `#` comments skipped).
    public static func pairs(_ text: String, field: String) throws -> [(String, String)] {
        var result: [(String, String)] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                throw RegistryError.invalidArgument("\(field), line \(index + 1): write key=value, not '\(line.prefix(60))'")
            }
            result.append((
                line[..<eq].trimmingCharacters(in: .whitespaces),
                line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            ))
        }
        return result
    }

    /// Numbers and booleans typed, everything else a string (as the CLI's `--param`).
    public static func typed(_ text: String) -> JSONValue {
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default:
            if let number = Double(text), number.isFinite { return .number(number) }
            return .string(text)
        }
    }

    public static func model(
        name: String, description: String, owner: String, task: String, primaryMetric: String, direction: String,
        tags: String
    ) throws -> NewModel {
        let model = NewModel(
            name: try ModelName(validating: name.trimmingCharacters(in: .whitespaces)), description: description,
            owner: owner, task: task, tags: Dictionary(try pairs(tags, field: "tags"), uniquingKeysWith: { $1 }),
            primaryMetric: primaryMetric.isEmpty ? nil : primaryMetric,
            metricDirection: direction == "min" ? .minimize : .maximize)
        try model.validate()
        return model
    }

    public static func version(
        model: ModelName, bump: String, description: String, framework: String, params: String, scores: String,
        parents: String, gitCommit: String, status: VersionStatus
    ) throws -> NewVersion {
        var scoreValues: [String: Double] = [:]
        for (name, text) in try pairs(scores, field: "scores") {
            guard let value = Double(text), value.isFinite else {
                throw RegistryError.invalidArgument("scores: '\(name)' must be a number, not '\(text.prefix(40))'")
            }
            scoreValues[name] = value
        }
        let parentKeys = try parents.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map {
            VersionKey(model: model, version: try SemanticVersion(parsing: String($0)))
        }
        let version = NewVersion(
            request: bump.isEmpty ? nil : .bump(try VersionBump(parsing: bump)), status: status,
            description: description, framework: framework.isEmpty ? nil : framework,
            gitCommit: gitCommit.isEmpty ? nil : gitCommit,
            params: Dictionary(try pairs(params, field: "params").map { ($0.0, typed($0.1)) }, uniquingKeysWith: { $1 }),
            scores: scoreValues, parents: parentKeys)
        try version.validate()
        return version
    }
}
