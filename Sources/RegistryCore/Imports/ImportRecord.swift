import Foundation

/// One attempt to hand a training folder over: where it came from, what it held, who sent it, how it ended.
/// Every attempt is kept, refused ones too, so "what happened to last night's model" has an answer.
public struct ImportRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// A new version was registered from the folder.
        case imported
        /// The same content was imported before: the version it made is named.
        case duplicate
        /// Nothing was registered; `reason` says why.
        case refused
    }

    /// A file of the folder, already in the blob store.
    public struct File: Sendable, Equatable {
        public var path: String
        public var size: Int64
        public var sha256: BlobDigest

        public init(path: String, size: Int64, sha256: BlobDigest) {
            self.path = path
            self.size = size
            self.sha256 = sha256
        }
    }

    public var id: Int64
    /// Where the folder came from: a path on the server, or what the client named it.
    public var source: String
    public var model: ModelName?
    public var version: SemanticVersion?
    public var files: [File]
    /// The folder's identity: sha256 over its files' paths and digests (the same content by any path is the same).
    public var contentSHA256: String?
    public var actor: String
    public var startedAt: Date
    public var durationSeconds: Double
    public var outcome: Outcome
    public var reason: String?
    /// The version's verdict under its model's policy right after the import.
    public var validation: ValidationReport?
    /// What the policy's promotion did with the version (`deployed to production`, `canary 10 % of production`), or
    /// why it did not.
    public var promotion: String?

    public init(
        id: Int64 = 0, source: String, model: ModelName?, version: SemanticVersion?, files: [File],
        contentSHA256: String?, actor: String, startedAt: Date, durationSeconds: Double, outcome: Outcome,
        reason: String?, validation: ValidationReport?, promotion: String? = nil
    ) {
        self.id = id
        self.source = source
        self.model = model
        self.version = version
        self.files = files
        self.contentSHA256 = contentSHA256
        self.actor = actor
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.reason = reason
        self.validation = validation
        self.promotion = promotion
    }

    /// The text whose sha256 identifies a folder's content: one `path<TAB>sha256` line per file, sorted by path.
    public static func contentManifest(_ files: [File]) -> String {
        files.sorted { $0.path < $1.path }.map { "\($0.path)\t\($0.sha256.rawValue)\n" }.joined()
    }
}

/// Filters for listing import records.
public struct ImportFilter: Sendable, Equatable {
    public var model: ModelName?
    public var outcome: ImportRecord.Outcome?
    public var contentSHA256: String?
    public var source: String?

    public init(
        model: ModelName? = nil, outcome: ImportRecord.Outcome? = nil, contentSHA256: String? = nil, source: String? = nil
    ) {
        self.model = model
        self.outcome = outcome
        self.contentSHA256 = contentSHA256
        self.source = source
    }
}
