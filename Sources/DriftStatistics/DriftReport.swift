import Foundation

/// A version's reference, reduced once to what the tests read: per column a `ReferenceColumn`. Numbers keep their
/// exact sorted values up to `exactLimit` distinct values (what SciPy's exact KS p-value is computed over), a sketch
/// of that many quantile points above it; categories keep their counts.
public struct ReferenceProfile: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var reference: ReferenceColumn
        public init(name: String, reference: ReferenceColumn) {
            self.name = name
            self.reference = reference
        }
    }

    public static let exactLimit = 10_000
    public var columns: [Column]
    public var rows: Int

    public init(columns: [Column], rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    public init(_ table: DriftTable, sketchLimit: Int = exactLimit) {
        columns = table.columns.map { Column(name: $0.name, reference: ReferenceColumn($0.values, sketchLimit: sketchLimit)) }
        rows = table.rows
    }

    public func column(named name: String) -> ReferenceColumn? { columns.first { $0.name == name }?.reference }
}

/// What happens when a serving version starts drifting, beyond the audit entry and the event.
public enum DriftAction: String, Sendable, Codable, CaseIterable {
    /// Only record and report it (the default).
    case notify
    /// Also roll the environments it serves back to their previous version.
    case rollback
}

/// How a model's drift is judged, Evidently's `DataDriftPreset` defaults unless set: per-column method and
/// threshold overrides, the dataset's `drift_share`, and the threshold of the plain score summary.
public struct DriftSettings: Sendable, Codable, Equatable {
    public struct ColumnRule: Sendable, Codable, Equatable {
        public var method: DriftMethod?
        public var threshold: Double?
        public init(method: DriftMethod? = nil, threshold: Double? = nil) {
            self.method = method
            self.threshold = threshold
        }
    }

    /// Overrides by column name.
    public var columns: [String: ColumnRule]
    /// Columns not monitored.
    public var ignore: [String]
    /// The dataset drifts when at least this share of its columns does.
    public var driftShare: Double
    /// The plain summary: a column's Jensen–Shannon score above this counts.
    public var driftThreshold: Double
    /// The version file a reference is computed from, when not one of the conventional names.
    public var reference: String?
    /// What happens when a serving version starts drifting.
    public var action: DriftAction

    public init(
        columns: [String: ColumnRule] = [:], ignore: [String] = [], driftShare: Double = 0.5, driftThreshold: Double = 0.1,
        reference: String? = nil, action: DriftAction = .notify
    ) {
        self.reference = reference
        self.action = action
        self.columns = columns
        self.ignore = ignore
        self.driftShare = driftShare
        self.driftThreshold = driftThreshold
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case columns, ignore, reference, action
        case driftShare = "drift_share"
        case driftThreshold = "drift_threshold"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        columns = try container.decodeIfPresent([String: ColumnRule].self, forKey: .columns) ?? [:]
        ignore = try container.decodeIfPresent([String].self, forKey: .ignore) ?? []
        driftShare = try container.decodeIfPresent(Double.self, forKey: .driftShare) ?? 0.5
        driftThreshold = try container.decodeIfPresent(Double.self, forKey: .driftThreshold) ?? 0.1
        reference = try container.decodeIfPresent(String.self, forKey: .reference)
        action = try container.decodeIfPresent(DriftAction.self, forKey: .action) ?? .notify
    }

    /// Refuses a share outside (0, 1], a threshold that is not a finite positive number, or too many rules.
    public func validate() throws(DriftError) {
        guard driftShare > 0, driftShare <= 1 else { throw DriftError(description: "drift_share must be in (0, 1]; it is \(driftShare)") }
        guard driftThreshold.isFinite, driftThreshold > 0 else {
            throw DriftError(description: "drift_threshold must be a positive number; it is \(driftThreshold)")
        }
        if let reference, reference.isEmpty || reference.utf8.count > 1_000 {
            throw DriftError(description: "reference must name a file of the version (1-1000 characters)")
        }
        guard columns.count + ignore.count <= DriftTable.maxColumns else {
            throw DriftError(description: "drift settings name more than \(DriftTable.maxColumns) columns")
        }
        for (name, rule) in columns {
            if let threshold = rule.threshold, !(threshold.isFinite && threshold > 0) {
                throw DriftError(description: "the threshold for '\(name)' must be a positive number; it is \(threshold)")
            }
            if let threshold = rule.threshold, rule.method?.isPValue ?? false, threshold >= 1 {
                throw DriftError(description: "the threshold for '\(name)' is a p-value and must be below 1; it is \(threshold)")
            }
        }
    }
}

/// A current sample judged against a reference: each column's method, statistic, threshold and verdict (drifted
/// columns first, then by score), the dataset's verdict, and the plain score summary beside it.
public struct DriftReport: Sendable, Codable, Equatable {
    public struct Column: Sendable, Codable, Equatable {
        public var name: String
        public var kind: String
        public var method: DriftMethod?
        public var statistic: Double?
        public var threshold: Double?
        public var drifted: Bool
        /// Jensen–Shannon distance of the binned shares, the same scale for every column.
        public var score: Double?
        public var referenceRows: Int
        public var currentRows: Int
        public var referenceMissing: Int
        public var currentMissing: Int
        /// Why the column could not be compared (it is then left out of the share).
        public var problem: String?

        enum CodingKeys: String, CodingKey {
            case name, kind, method, statistic, threshold, drifted, score, problem
            case referenceRows = "reference_rows"
            case currentRows = "current_rows"
            case referenceMissing = "reference_missing"
            case currentMissing = "current_missing"
        }

        /// JSON has no NaN: a statistic that is not a number (chi-squared over one category) is sent as null.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(kind, forKey: .kind)
            try container.encodeIfPresent(method, forKey: .method)
            try container.encodeIfPresent(statistic.flatMap { $0.isFinite ? $0 : nil }, forKey: .statistic)
            try container.encodeIfPresent(threshold, forKey: .threshold)
            try container.encode(drifted, forKey: .drifted)
            try container.encodeIfPresent(score.flatMap { $0.isFinite ? $0 : nil }, forKey: .score)
            try container.encode(referenceRows, forKey: .referenceRows)
            try container.encode(currentRows, forKey: .currentRows)
            try container.encode(referenceMissing, forKey: .referenceMissing)
            try container.encode(currentMissing, forKey: .currentMissing)
            try container.encodeIfPresent(problem, forKey: .problem)
        }
    }

    public var columns: [Column]
    public var referenceRows: Int
    public var currentRows: Int
    /// Columns compared (those with a verdict) and of them drifted.
    public var comparedColumns: Int
    public var driftedColumns: Int
    public var share: Double
    public var driftShare: Double
    public var datasetDrift: Bool
    /// The plain summary: columns whose score is above `driftThreshold`, and the largest score.
    public var driftThreshold: Double
    public var columnsAboveThreshold: Int
    public var maxScore: Double
    /// Current columns the reference does not have (not monitored).
    public var unmonitored: [String]

    enum CodingKeys: String, CodingKey {
        case columns, share, unmonitored
        case referenceRows = "reference_rows"
        case currentRows = "current_rows"
        case comparedColumns = "compared_columns"
        case driftedColumns = "drifted_columns"
        case driftShare = "drift_share"
        case datasetDrift = "dataset_drift"
        case driftThreshold = "drift_threshold"
        case columnsAboveThreshold = "columns_above_threshold"
        case maxScore = "max_score"
    }

    /// Compares every reference column that `current` has (by name) and is not ignored.
    public init(profile: ReferenceProfile, current: [String: DriftColumn], currentRows: Int, settings: DriftSettings = DriftSettings()) {
        let ignored = Set(settings.ignore)
        var columns: [Column] = []
        for entry in profile.columns where !ignored.contains(entry.name) {
            let reference = entry.reference
            var column = Column(
                name: entry.name, kind: reference.numerical ? "numerical" : "categorical", drifted: false,
                referenceRows: reference.rows, currentRows: 0, referenceMissing: reference.missing, currentMissing: 0)
            guard let values = current[entry.name] else {
                column.problem = "the current data has no column '\(entry.name)'"
                columns.append(column)
                continue
            }
            let rule = settings.columns[entry.name]
            let summary = ReferenceColumn(values)
            do {
                let result = try DriftTests.column(reference: reference, summary: summary, method: rule?.method, threshold: rule?.threshold)
                column.method = result.method
                column.statistic = result.statistic
                column.threshold = result.threshold
                column.drifted = result.drifted
                column.currentRows = result.currentRows
                column.currentMissing = result.currentMissing
                column.score = DriftTests.score(reference: reference, summary: summary)
            } catch {
                column.currentRows = summary.rows
                column.currentMissing = summary.missing
                column.problem = error.description
            }
            columns.append(column)
        }
        columns.sort { a, b in
            if a.drifted != b.drifted { return a.drifted }
            return (a.score ?? -1) > (b.score ?? -1)
        }
        let compared = columns.filter { $0.method != nil }
        let drifted = compared.filter(\.drifted).count
        self.columns = columns
        referenceRows = profile.rows
        self.currentRows = currentRows
        comparedColumns = compared.count
        driftedColumns = drifted
        share = compared.isEmpty ? 0 : Double(drifted) / Double(compared.count)
        driftShare = settings.driftShare
        datasetDrift = !compared.isEmpty && Double(drifted) >= settings.driftShare * Double(compared.count)
        driftThreshold = settings.driftThreshold
        let scores = compared.compactMap(\.score).filter(\.isFinite)
        columnsAboveThreshold = scores.filter { $0 > settings.driftThreshold }.count
        maxScore = scores.max() ?? 0
        let known = Set(profile.columns.map(\.name))
        unmonitored = current.keys.filter { !known.contains($0) }.sorted()
    }
}
