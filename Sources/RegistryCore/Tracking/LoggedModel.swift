/// The state of a logged model's upload.
public enum LoggedModelStatus: String, Sendable, Codable, CaseIterable {
    case unspecified = "LOGGED_MODEL_STATUS_UNSPECIFIED"
    case pending = "LOGGED_MODEL_PENDING"
    case ready = "LOGGED_MODEL_READY"
    case uploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"

    public init(parsing text: String) throws {
        switch text.uppercased() {
        case "LOGGED_MODEL_STATUS_UNSPECIFIED", "0": self = .unspecified
        case "LOGGED_MODEL_PENDING", "1": self = .pending
        case "LOGGED_MODEL_READY", "2": self = .ready
        case "LOGGED_MODEL_UPLOAD_FAILED", "3": self = .uploadFailed
        default:
            throw RegistryError.invalidArgument(
                "logged model status '\(text.prefix(40))' is invalid; use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED")
        }
    }
}

/// A model as a training run logged it (files under its artifact root), before or without registration.
/// Registering it as a version copies its file list into the version's manifest (the blobs are shared).
public struct LoggedModel: Sendable, Equatable {
    public var id: String
    public var experimentID: Int64
    public var name: String
    public var sourceRunID: String?
    public var modelType: String
    public var status: LoggedModelStatus
    public var lifecycleStage: LifecycleStage
    public var tags: [String: String]
    public var params: [String: String]
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, experimentID: Int64, name: String, sourceRunID: String?, modelType: String,
        status: LoggedModelStatus, lifecycleStage: LifecycleStage = .active, tags: [String: String],
        params: [String: String], createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.sourceRunID = sourceRunID
        self.modelType = modelType
        self.status = status
        self.lifecycleStage = lifecycleStage
        self.tags = tags
        self.params = params
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }


    /// A fresh logged-model id, `m-` and 32 hex characters.
    public static func newID() -> String { "m-" + RunInfo.newID() }

    /// The artifact proxy path of the model's files (no scheme).
    public var artifactRoot: String { "\(experimentID)/models/\(id)/artifacts" }
    public var artifactURI: String { "mlflow-artifacts:/\(artifactRoot)" }
}

/// What creating a logged model takes.
public struct NewLoggedModel: Sendable, Equatable {
    public var experimentID: Int64
    public var name: String
    public var sourceRunID: String?
    public var modelType: String
    public var tags: [String: String]
    public var params: [String: String]

    public init(
        experimentID: Int64, name: String, sourceRunID: String?, modelType: String, tags: [String: String],
        params: [String: String]
    ) {
        self.experimentID = experimentID
        self.name = name
        self.sourceRunID = sourceRunID
        self.modelType = modelType
        self.tags = tags
        self.params = params
    }
}

/// A file in the tracking artifact store (the MLflow artifact proxy), content-addressed like version artifacts.
public struct TrackedFile: Sendable, Equatable {
    /// Relative path without a leading slash, e.g. `1/<run>/artifacts/model/MLmodel`.
    public var path: String
    public var size: Int64
    public var sha256: BlobDigest

    public init(path: String, size: Int64, sha256: BlobDigest) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}

/// One entry of a directory listing of tracked files.
public struct TrackedListing: Sendable, Equatable {
    public var name: String
    public var isDirectory: Bool
    public var size: Int64?

    public init(name: String, isDirectory: Bool, size: Int64?) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
    }
}

extension TrackedListing {
    /// The immediate children of the directory `prefix` (empty, or ending with `/`) among files given as
    /// (path, size): files directly inside it, and one entry per subdirectory. Sorted by name.
    public static func children(of prefix: String, among files: [(path: String, size: Int64)]) -> [TrackedListing] {
        var entries: [String: TrackedListing] = [:]
        for file in files where file.path.hasPrefix(prefix) {
            let rest = file.path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                let name = String(rest[..<slash])
                entries[name] = TrackedListing(name: name, isDirectory: true, size: nil)
            } else {
                entries[String(rest)] = TrackedListing(name: String(rest), isDirectory: false, size: file.size)
            }
        }
        return entries.values.sorted { $0.name < $1.name }
    }
}

/// Paths of the artifact proxy: relative, `/`-separated, no empty, `.` or `..` segments.
public enum TrackedPath {
    public static func validate(_ path: String) throws -> String {
        let trimmed = path.hasPrefix("/") ? String(path.drop(while: { $0 == "/" })) : path
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 4096,
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }), NameRules.isPrintable(trimmed),
            !trimmed.contains("\\")
        else {
            throw RegistryError.invalidArgument(
                "artifact path '\(path.prefix(80))' is invalid: use a relative path without '..', '.' or empty segments")
        }
        return trimmed
    }
}
