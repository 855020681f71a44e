public import DriftStatistics
public import Foundation
public import RegistryCore

extension DriftSettings: KnownFields {}

/// A version's stored drift reference, without its profile bytes.
public struct DriftReferenceDTO: Codable, Sendable, Equatable {
    public var source: String
    public var rows: Int
    public var columns: [String]
    public var createdAt: Date
    public var createdBy: String

    public init(_ record: DriftReferenceRecord) {
        source = record.source
        rows = record.rows
        columns = record.columns
        createdAt = record.createdAt
        createdBy = record.createdBy
    }

    enum CodingKeys: String, CodingKey {
        case source, rows, columns
        case createdAt = "created_at"
        case createdBy = "created_by"
    }
}

/// One window of served rows judged against the reference.
public struct DriftWindowDTO: Codable, Sendable, Equatable {
    /// The window's size in rows (the last N served rows) and how many it holds now.
    public var size: Int
    public var rows: Int
    public var report: DriftReport

    public init(size: Int, rows: Int, report: DriftReport) {
        self.size = size
        self.rows = rows
        self.report = report
    }
}

/// One stored period (an hour) of served rows judged against the reference.
public struct DriftSummaryDTO: Codable, Sendable, Equatable {
    public var periodStart: Date
    public var periodSeconds: Int
    public var rows: Int
    public var comparedColumns: Int
    public var driftedColumns: Int
    public var share: Double
    public var datasetDrift: Bool
    public var maxScore: Double
    public var columns: [DriftSummary.Column]

    public init(_ summary: DriftSummary) {
        periodStart = summary.periodStart
        periodSeconds = summary.periodSeconds
        rows = summary.rows
        comparedColumns = summary.comparedColumns
        driftedColumns = summary.driftedColumns
        share = summary.share
        datasetDrift = summary.datasetDrift
        maxScore = summary.maxScore
        columns = summary.columns
    }

    enum CodingKeys: String, CodingKey {
        case rows, share, columns
        case periodStart = "period_start"
        case periodSeconds = "period_seconds"
        case comparedColumns = "compared_columns"
        case driftedColumns = "drifted_columns"
        case datasetDrift = "dataset_drift"
        case maxScore = "max_score"
    }
}

/// `GET .../versions/{version}/drift`: the reference (or how to add one), the settings, the live windows of this
/// server (when it has the version loaded) and the stored hourly history.
public struct DriftStatusResponse: Codable, Sendable, Equatable {
    public var model: String
    public var version: String
    public var reference: DriftReferenceDTO?
    /// Without a reference: how to add one.
    public var hint: String?
    public var settings: DriftSettings
    /// Whether this server has the version loaded with its reference, judging what it serves.
    public var monitoring: Bool
    public var rowsSeen: Int
    /// Rows served while the monitor's queue was full (not judged).
    public var skippedRows: Int
    /// Whether the smallest window, once full, drifts; null until then.
    public var drifting: Bool?
    public var windows: [DriftWindowDTO]
    /// Reference columns the model's inputs and outputs do not give (never judged from served rows).
    public var unmappedColumns: [String]
    public var history: [DriftSummaryDTO]

    public init(
        model: String, version: String, reference: DriftReferenceDTO?, hint: String?, settings: DriftSettings,
        monitoring: Bool, rowsSeen: Int, skippedRows: Int, drifting: Bool?, windows: [DriftWindowDTO],
        unmappedColumns: [String], history: [DriftSummaryDTO]
    ) {
        self.model = model
        self.version = version
        self.reference = reference
        self.hint = hint
        self.settings = settings
        self.monitoring = monitoring
        self.rowsSeen = rowsSeen
        self.skippedRows = skippedRows
        self.drifting = drifting
        self.windows = windows
        self.unmappedColumns = unmappedColumns
        self.history = history
    }

    enum CodingKeys: String, CodingKey {
        case model, version, reference, hint, settings, monitoring, drifting, windows, history
        case rowsSeen = "rows_seen"
        case skippedRows = "skipped_rows"
        case unmappedColumns = "unmapped_columns"
    }
}
