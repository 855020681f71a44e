public import DriftStatistics
public import Foundation

/// A version's drift reference as stored: the profile (`ReferenceProfile.encoded()`), where it came from and who
/// set it. One per version; setting another replaces it.
public struct DriftReferenceRecord: Sendable, Equatable {
    public var model: ModelName
    public var version: SemanticVersion
    /// The artifact it was computed from (`reference.csv`), or `upload`.
    public var source: String
    public var rows: Int
    public var columns: [String]
    public var profile: Data
    public var createdAt: Date
    public var createdBy: String

    public init(
        model: ModelName, version: SemanticVersion, source: String, rows: Int, columns: [String], profile: Data,
        createdAt: Date, createdBy: String
    ) {
        self.model = model
        self.version = version
        self.source = source
        self.rows = rows
        self.columns = columns
        self.profile = profile
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// One period (an hour, or less at shutdown) of a version's served rows judged against its reference on one
/// server: the dataset verdict and each column's, kept in the store as the drift history.
public struct DriftSummary: Sendable, Equatable {
    public struct Column: Sendable, Equatable, Codable {
        public var name: String
        public var method: DriftMethod?
        public var statistic: Double?
        public var drifted: Bool
        public var score: Double?

        public init(name: String, method: DriftMethod?, statistic: Double?, drifted: Bool, score: Double?) {
            self.name = name
            self.method = method
            self.statistic = statistic.flatMap { $0.isFinite ? $0 : nil }
            self.drifted = drifted
            self.score = score.flatMap { $0.isFinite ? $0 : nil }
        }
    }

    public var model: ModelName
    public var version: SemanticVersion
    public var periodStart: Date
    public var periodSeconds: Int
    public var rows: Int
    public var comparedColumns: Int
    public var driftedColumns: Int
    public var share: Double
    public var datasetDrift: Bool
    public var maxScore: Double
    public var columns: [Column]

    public init(
        model: ModelName, version: SemanticVersion, periodStart: Date, periodSeconds: Int, rows: Int, report: DriftReport
    ) {
        self.model = model
        self.version = version
        self.periodStart = periodStart
        self.periodSeconds = periodSeconds
        self.rows = rows
        comparedColumns = report.comparedColumns
        driftedColumns = report.driftedColumns
        share = report.share
        datasetDrift = report.datasetDrift
        maxScore = report.maxScore
        columns = report.columns.map {
            Column(name: $0.name, method: $0.method, statistic: $0.statistic, drifted: $0.drifted, score: $0.score)
        }
    }

    public init(
        model: ModelName, version: SemanticVersion, periodStart: Date, periodSeconds: Int, rows: Int,
        comparedColumns: Int, driftedColumns: Int, share: Double, datasetDrift: Bool, maxScore: Double, columns: [Column]
    ) {
        self.model = model
        self.version = version
        self.periodStart = periodStart
        self.periodSeconds = periodSeconds
        self.rows = rows
        self.comparedColumns = comparedColumns
        self.driftedColumns = driftedColumns
        self.share = share
        self.datasetDrift = datasetDrift
        self.maxScore = maxScore
        self.columns = columns
    }
}
