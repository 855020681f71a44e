import RegistryCore

/// How the versions page orders its rows.
public enum VersionSort: Sendable, Equatable {
    case version
    case created
    case status
    case metric(String)

    /// `version`, `created`, `status` or `metric:NAME`; anything else is the default (newest version first).
    public init(parsing text: String?) {
        switch text {
        case "created": self = .created
        case "status": self = .status
        case let text? where text.hasPrefix("metric:") && text.count > 7: self = .metric(String(text.dropFirst(7)))
        default: self = .version
        }
    }

    public var parameter: String {
        switch self {
        case .version: return "version"
        case .created: return "created"
        case .status: return "status"
        case .metric(let name): return "metric:" + name
        }
    }

    /// Versions in this order; `descending` flips it. Versions without the metric go last either way.
    public func sorted(_ versions: [ModelVersion], descending: Bool) -> [ModelVersion] {
        switch self {
        case .version:
            return versions.sorted { descending ? $0.version > $1.version : $0.version < $1.version }
        case .created:
            return versions.sorted {
                $0.createdAt == $1.createdAt
                    ? (descending ? $0.version > $1.version : $0.version < $1.version)
                    : (descending ? $0.createdAt > $1.createdAt : $0.createdAt < $1.createdAt)
            }
        case .status:
            return versions.sorted {
                $0.status == $1.status
                    ? $0.version > $1.version
                    : (descending ? $0.status.rawValue > $1.status.rawValue : $0.status.rawValue < $1.status.rawValue)
            }
        case .metric(let name):
            return versions.sorted { a, b in
                switch (a.scores[name], b.scores[name]) {
                case (let x?, let y?): return x == y ? a.version > b.version : (descending ? x > y : x < y)
                case (.some, nil): return true
                case (nil, .some): return false
                case (nil, nil): return a.version > b.version
                }
            }
        }
    }

    /// The metric columns worth showing: the primary metric first, then the most common score names.
    public static func metricColumns(_ versions: [ModelVersion], primary: String?, limit: Int = 5) -> [String] {
        var counts: [String: Int] = [:]
        for version in versions {
            for name in version.scores.keys { counts[name, default: 0] += 1 }
        }
        var names = counts.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.map(\.key)
        if let primary {
            names.removeAll { $0 == primary }
            names.insert(primary, at: 0)
        }
        return Array(names.prefix(limit))
    }
}
