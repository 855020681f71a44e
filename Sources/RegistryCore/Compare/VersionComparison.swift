/// Two or more versions side by side: scores with deltas against the first, params diffs, history summaries.
public struct VersionComparison: Sendable, Equatable {
    /// The change of one value relative to the baseline (the first version).
    public struct Delta: Sendable, Equatable {
        public var absolute: Double
        /// `nil` when the baseline is zero.
        public var relative: Double?
        /// Whether the change is an improvement under the metric's direction (`nil` when unchanged).
        public var improved: Bool?

        public init(absolute: Double, relative: Double?, improved: Bool?) {
            self.absolute = absolute
            self.relative = relative
            self.improved = improved
        }
    }

    public struct MetricRow: Sendable, Equatable {
        public var name: String
        public var direction: MetricDirection
        /// One value per compared version (`nil` where a version lacks the score).
        public var values: [Double?]
        /// One delta per compared version against the first (`nil` for the first and where a value is missing).
        public var deltas: [Delta?]

        public init(name: String, direction: MetricDirection, values: [Double?], deltas: [Delta?]) {
            self.name = name
            self.direction = direction
            self.values = values
            self.deltas = deltas
        }
    }

    public struct ParamChange: Sendable, Equatable {
        public var key: String
        public var from: JSONValue?
        public var to: JSONValue?

        public init(key: String, from: JSONValue?, to: JSONValue?) {
            self.key = key
            self.from = from
            self.to = to
        }
    }

    /// How one version's params differ from the first version's.
    public struct ParamsDiff: Sendable, Equatable {
        public var version: SemanticVersion
        public var changed: [ParamChange]
        public var added: [ParamChange]
        public var removed: [ParamChange]

        public init(version: SemanticVersion, changed: [ParamChange], added: [ParamChange], removed: [ParamChange]) {
            self.version = version
            self.changed = changed
            self.added = added
            self.removed = removed
        }
    }

    public struct HistoryRow: Sendable, Equatable {
        public var name: String
        /// One summary per compared version (`nil` where the version has no such series).
        public var summaries: [MetricSummary?]

        public init(name: String, summaries: [MetricSummary?]) {
            self.name = name
            self.summaries = summaries
        }
    }

    public var model: ModelName
    public var versions: [SemanticVersion]
    public var metrics: [MetricRow]
    public var params: [ParamsDiff]
    public var history: [HistoryRow]

    public init(
        model: ModelName, versions: [SemanticVersion], metrics: [MetricRow], params: [ParamsDiff], history: [HistoryRow]
    ) {
        self.model = model
        self.versions = versions
        self.metrics = metrics
        self.params = params
        self.history = history
    }

    /// Builds the comparison; `histories[i]` are the summaries of `versions[i]`.
    public static func make(
        model: RegisteredModel, versions: [ModelVersion], histories: [[MetricSummary]]
    ) throws -> VersionComparison {
        guard versions.count >= 2 else {
            throw RegistryError.invalidArgument("compare needs at least two versions, for example versions=1.0.0,1.1.0")
        }
        let scoreNames = Set(versions.flatMap { $0.scores.keys }).sorted()
        let metrics = scoreNames.map { name -> MetricRow in
            let values = versions.map { $0.scores[name] }
            let dir = model.direction(ofMetric: name)
            let deltas = values.enumerated().map { index, value -> Delta? in
                guard index > 0, let value, let base = values[0] else { return nil }
                let absolute = value - base
                return Delta(
                    absolute: absolute, relative: base == 0 ? nil : absolute / abs(base),
                    improved: absolute == 0 ? nil : dir.isBetter(value, than: base))
            }
            return MetricRow(name: name, direction: dir, values: values, deltas: deltas)
        }
        let baseParams = versions[0].params
        let params = versions.dropFirst().map { other -> ParamsDiff in
            var changed: [ParamChange] = []
            var added: [ParamChange] = []
            var removed: [ParamChange] = []
            for key in Set(baseParams.keys).union(other.params.keys).sorted() {
                switch (baseParams[key], other.params[key]) {
                case (let from?, let to?) where from != to: changed.append(ParamChange(key: key, from: from, to: to))
                case (nil, let to?): added.append(ParamChange(key: key, from: nil, to: to))
                case (let from?, nil): removed.append(ParamChange(key: key, from: from, to: nil))
                default: break
                }
            }
            return ParamsDiff(version: other.version, changed: changed, added: added, removed: removed)
        }
        let historyNames = Set(histories.flatMap { $0.map(\.name) }).sorted()
        let history = historyNames.map { name in
            HistoryRow(name: name, summaries: histories.map { list in list.first { $0.name == name } })
        }
        return VersionComparison(
            model: model.name, versions: versions.map(\.version), metrics: metrics, params: params, history: history)
    }
}
