import Foundation

/// The state of a training run.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// The enum's name (any case) or its protobuf number (1-5); `nil` for anything else.
    public init?(lenient text: String) {
        switch text.uppercased() {
        case "RUNNING", "1": self = .running
        case "SCHEDULED", "2": self = .scheduled
        case "FINISHED", "3": self = .finished
        case "FAILED", "4": self = .failed
        case "KILLED", "5": self = .killed
        default: return nil
        }
    }
}

/// A training run: who ran it, when, in which experiment, and its state. A version's training history is its
/// run's metric series. Times are milliseconds since the epoch.
public struct RunInfo: Sendable, Equatable {
    public var id: String
    public var experimentID: Int64
    public var name: String
    public var userID: String
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var lifecycleStage: LifecycleStage

    public init(
        id: String, experimentID: Int64, name: String, userID: String, status: RunStatus, startTime: Int64,
        endTime: Int64?, lifecycleStage: LifecycleStage
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.lifecycleStage = lifecycleStage
    }

    /// A fresh run id: 32 lowercase hex characters, the shape MLflow uses.
    public static func newID() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Where the run's artifacts live, in the artifact proxy's URI scheme.
    public var artifactURI: String { "\(Experiment.artifactLocation(id: experimentID))/\(id)/artifacts" }
    /// The artifact proxy path of the run's artifact root (no scheme).
    public var artifactRoot: String { "\(experimentID)/\(id)/artifacts" }
}

/// One value of a metric series as tracking clients log it.
public struct TrackedMetric: Sendable, Equatable {
    public var key: String
    /// May be NaN or infinite.
    public var value: Double
    public var timestamp: Int64
    public var step: Int64

    public init(key: String, value: Double, timestamp: Int64, step: Int64) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// A dataset a run consumed (`log_input`).
public struct DatasetInput: Sendable, Equatable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?
    /// Input tags, e.g. `mlflow.data.context` = `training`.
    public var tags: [String: String]

    public init(
        name: String, digest: String, sourceType: String, source: String, schema: String? = nil,
        profile: String? = nil, tags: [String: String] = [:]
    ) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
        self.tags = tags
    }
}

/// A logged model a run produced, at a step.
public struct RunModelOutput: Sendable, Equatable {
    public var modelID: String
    public var step: Int64

    public init(modelID: String, step: Int64) {
        self.modelID = modelID
        self.step = step
    }
}

/// A run with its data: params (immutable once logged), tags, the latest value of each metric, inputs and outputs.
public struct Run: Sendable, Equatable {
    public var info: RunInfo
    public var params: [String: String]
    public var tags: [String: String]
    /// The latest value per key: greatest (step, timestamp, value).
    public var metrics: [TrackedMetric]
    public var inputs: [DatasetInput]
    public var outputs: [RunModelOutput]

    public init(
        info: RunInfo, params: [String: String] = [:], tags: [String: String] = [:], metrics: [TrackedMetric] = [],
        inputs: [DatasetInput] = [], outputs: [RunModelOutput] = []
    ) {
        self.info = info
        self.params = params
        self.tags = tags
        self.metrics = metrics
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// What creating a run takes.
public struct NewRun: Sendable, Equatable {
    public var experimentID: Int64
    public var name: String?
    public var userID: String
    public var startTime: Int64?
    public var tags: [String: String]

    public init(experimentID: Int64, name: String?, userID: String, startTime: Int64?, tags: [String: String]) {
        self.experimentID = experimentID
        self.name = name
        self.userID = userID
        self.startTime = startTime
        self.tags = tags
    }
}

/// A change to a run's state (`runs/update`).
public struct RunUpdate: Sendable, Equatable {
    public var status: RunStatus?
    public var endTime: Int64?
    public var name: String?

    public init(status: RunStatus?, endTime: Int64?, name: String?) {
        self.status = status
        self.endTime = endTime
        self.name = name
    }
}

/// A batch of run data (`log-batch`, and the single-value calls).
public struct RunDataBatch: Sendable {
    public var metrics: [TrackedMetric]
    public var params: [(key: String, value: String)]
    public var tags: [(key: String, value: String)]

    public init(metrics: [TrackedMetric] = [], params: [(key: String, value: String)] = [], tags: [(key: String, value: String)] = []) {
        self.metrics = metrics
        self.params = params
        self.tags = tags
    }

    public static let maxMetrics = 1_000
    public static let maxParams = 100
    public static let maxTags = 100
    public static let maxParamValueLength = 6_000
    public static let maxTagValueLength = 8_000

    /// The limits and key rules MLflow clients expect to be enforced.
    public func validate() throws {
        guard metrics.count <= Self.maxMetrics else {
            throw RegistryError.invalidArgument(
                "a batch may hold at most \(Self.maxMetrics) metrics, got \(metrics.count); split it")
        }
        guard params.count <= Self.maxParams else {
            throw RegistryError.invalidArgument("a batch may hold at most \(Self.maxParams) params, got \(params.count)")
        }
        guard tags.count <= Self.maxTags else {
            throw RegistryError.invalidArgument("a batch may hold at most \(Self.maxTags) tags, got \(tags.count)")
        }
        var seen = Set<String>()
        for param in params {
            try TrackingKeys.check(param.key, kind: "param")
            guard param.value.utf8.count <= Self.maxParamValueLength else {
                throw RegistryError.invalidArgument(
                    "param '\(param.key)' value is longer than \(Self.maxParamValueLength) bytes")
            }
            guard seen.insert(param.key).inserted else {
                throw RegistryError.invalidArgument("param '\(param.key)' appears twice in one batch; send it once")
            }
        }
        for metric in metrics { try TrackingKeys.check(metric.key, kind: "metric") }
        for tag in tags {
            try TrackingKeys.check(tag.key, kind: "tag")
            guard tag.value.utf8.count <= Self.maxTagValueLength else {
                throw RegistryError.invalidArgument("tag '\(tag.key)' value is longer than \(Self.maxTagValueLength) bytes")
            }
        }
    }
}

/// Keys of metrics, params and tags: 1-250 characters of `[A-Za-z0-9_\-. :/]`, not a path that climbs.
public enum TrackingKeys {
    public static func check(_ key: String, kind: String) throws {
        let allowed = key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E || byte == 0x20 || byte == 0x3A || byte == 0x2F
        }
        guard !key.isEmpty, key.utf8.count <= 250, allowed else {
            throw RegistryError.invalidArgument(
                "\(kind) key '\(key.prefix(60))' is invalid: use 1-250 letters, digits, '_', '-', '.', ' ', ':' or '/'")
        }
        guard !key.split(separator: "/").contains(where: { $0 == ".." }), !key.hasPrefix("/") else {
            throw RegistryError.invalidArgument("\(kind) key '\(key.prefix(60))' must not be an absolute or climbing path")
        }
    }
}
