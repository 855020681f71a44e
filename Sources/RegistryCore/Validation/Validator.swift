import Foundation

/// Judges a version against a policy. Pure: everything it needs is passed in, so the same inputs give the same
/// verdict on every path (import, upload, deploy gate, a person asking).
public enum Validator {
    public struct Input: Sendable {
        public var version: ModelVersion
        public var files: [ArtifactPath]
        public var policy: PolicyRevision
        public var environment: EnvironmentName
        /// The version serving in `environment`, if any.
        public var baseline: ModelVersion?
        /// The version's model, whose declared metric directions rules without one follow.
        public var model: RegisteredModel?
        /// What re-evaluation measured, when the policy asks for it and the version carries the dataset.
        public var evaluation: EvaluationOutcome?
        public var actor: String
        public var now: Date

        public init(
            version: ModelVersion, files: [ArtifactPath], policy: PolicyRevision, environment: EnvironmentName,
            baseline: ModelVersion?, model: RegisteredModel? = nil, evaluation: EvaluationOutcome? = nil, actor: String,
            now: Date
        ) {
            self.version = version
            self.files = files
            self.policy = policy
            self.environment = environment
            self.baseline = baseline
            self.model = model
            self.evaluation = evaluation
            self.actor = actor
            self.now = now
        }
    }

    public static func evaluate(_ input: Input) -> ValidationReport {
        let policy = input.policy.policy
        let version = input.version
        // A version is not compared with itself (re-validating the serving version).
        let baseline = input.baseline.flatMap { $0.version == version.version ? nil : $0 }
        var checks: [ValidationReport.Check] = []
        let present = Set(input.files.map(\.rawValue))
        for path in policy.requiredFiles {
            let found = present.contains(path)
            checks.append(.init(
                name: "file:\(path)", kind: .file, outcome: found ? .pass : .error,
                message: found ? "present" : "required file \(path) is missing"))
        }
        for var rule in policy.metrics {
            rule.direction = rule.direction
                ?? input.model?.direction(ofMetric: rule.metric) ?? MetricDirection.inferred(forMetric: rule.metric)
            checks += metricChecks(rule, version: version, baseline: baseline)
        }
        if let check = ageCheck(policy, trainedAt: version.trainedAt, now: input.now) { checks.append(check) }
        if policy.featureCompatibility != .off {
            checks.append(featureCheck(version: version, baseline: baseline, severity: policy.featureCompatibility))
        }
        if let check = declaredFeaturesCheck(version) { checks.append(check) }
        if let evaluation = input.evaluation { checks += evaluationChecks(evaluation) }
        if policy.loadability { checks.append(loadabilityCheck(version, files: input.files)) }
        let errors = checks.count { $0.outcome == .error }
        let warnings = checks.count { $0.outcome == .warning }
        let score = min(1, max(0, 1 - 0.2 * Double(errors) - 0.05 * Double(warnings)))
        return ValidationReport(
            model: version.model, version: version.version, policyRevision: input.policy.revision,
            environment: input.environment, baseline: baseline?.version,
            passed: errors == 0 && score >= policy.minScore - 1e-12, score: score, checks: checks,
            validatedAt: input.now, validatedBy: input.actor)
    }

    // MARK: Metrics

    static func metricChecks(
        _ rule: ValidationPolicy.MetricRule, version: ModelVersion, baseline: ModelVersion?
    ) -> [ValidationReport.Check] {
        let name = rule.metric
        let direction = rule.direction ?? MetricDirection.inferred(forMetric: name)
        guard let value = version.scores[name] else {
            return rule.required
                ? [.init(name: "metric:\(name)", kind: .metric, outcome: .error,
                         message: "the policy requires \(name) but the version reports none")]
                : []
        }
        var checks: [ValidationReport.Check] = []
        let worse = direction == .maximize ? "below" : "above"
        if !value.isFinite {
            checks.append(.init(name: "metric:\(name)", kind: .metric, outcome: .error, observed: nil,
                                message: "\(name) is \(value), not a finite number"))
            return checks
        }
        if let error = rule.error, direction.isBetter(error, than: value) {
            checks.append(.init(name: "metric:\(name)", kind: .metric, outcome: .error, observed: value, threshold: error,
                                message: "\(name) \(f(value)) is \(worse) the error threshold \(f(error))"))
        } else if let warning = rule.warning, direction.isBetter(warning, than: value) {
            checks.append(.init(name: "metric:\(name)", kind: .metric, outcome: .warning, observed: value, threshold: warning,
                                message: "\(name) \(f(value)) is \(worse) the warning threshold \(f(warning))"))
        } else if rule.error != nil || rule.warning != nil {
            checks.append(.init(name: "metric:\(name)", kind: .metric, outcome: .pass, observed: value,
                                threshold: rule.warning ?? rule.error, message: "\(name) \(f(value)) meets the policy"))
        }
        guard rule.minAbsoluteChange != nil || rule.minRelativeChange != nil, rule.changeSeverity != .off else {
            return checks
        }
        guard let baseline, let base = baseline.scores[name], base.isFinite else {
            checks.append(.init(name: "change:\(name)", kind: .change, outcome: .skipped,
                                message: baseline == nil ? "nothing serves to compare with" : "the serving version \(baseline!.version) reports no \(name)"))
            return checks
        }
        // The change in the metric's direction: positive is better.
        let gain = direction == .maximize ? value - base : base - value
        var needed = -Double.infinity
        if let absolute = rule.minAbsoluteChange { needed = max(needed, absolute) }
        if let relative = rule.minRelativeChange { needed = max(needed, relative * abs(base)) }
        let outcome: ValidationReport.Outcome = gain + 1e-12 >= needed
            ? .pass : (rule.changeSeverity == .error ? .error : .warning)
        checks.append(.init(
            name: "change:\(name)", kind: .change, outcome: outcome, observed: gain, threshold: needed,
            message: outcome == .pass
                ? "\(name) \(f(value)) against \(f(base)) of \(baseline.version): a change of \(f(gain)), at least \(f(needed)) needed"
                : "\(name) \(f(value)) against \(f(base)) of \(baseline.version), which serves: a change of \(f(gain)) where the policy needs at least \(f(needed))"))
        return checks
    }

    // MARK: Age

    static func ageCheck(_ policy: ValidationPolicy, trainedAt: Date?, now: Date) -> ValidationReport.Check? {
        guard policy.maxAgeDays != nil || policy.retrainAfterDays != nil || policy.monitorAfterDays != nil else { return nil }
        guard let trainedAt else {
            return .init(name: "age", kind: .age, outcome: .skipped, message: "the version does not say when it was trained")
        }
        let days = now.timeIntervalSince(trainedAt) / 86_400
        let age = "trained \(Int(days.rounded(.down))) days ago"
        if let max = policy.maxAgeDays, days > Double(max) {
            return .init(name: "age", kind: .age, outcome: .error, observed: days, threshold: Double(max),
                         message: "\(age), more than the policy's maximum of \(max) days: retrain")
        }
        if let retrain = policy.retrainAfterDays, days > Double(retrain) {
            return .init(name: "age", kind: .age, outcome: .warning, observed: days, threshold: Double(retrain),
                         message: "\(age), more than \(retrain): consider retraining")
        }
        if let monitor = policy.monitorAfterDays, days > Double(monitor) {
            return .init(name: "age", kind: .age, outcome: .warning, observed: days, threshold: Double(monitor),
                         message: "\(age), more than \(monitor): monitor for drift")
        }
        return .init(name: "age", kind: .age, outcome: .pass, observed: days, message: age)
    }

    // MARK: Features

    static func featureCheck(version: ModelVersion, baseline: ModelVersion?, severity: ValidationPolicy.Severity)
        -> ValidationReport.Check
    {
        guard let baseline else {
            return .init(name: "features", kind: .features, outcome: .skipped, message: "nothing serves to compare with")
        }
        // Like with like: declared feature names on both sides, else the model files' inputs on both sides (a version
        // registered by hand declares none, yet its model file still says what it takes).
        let declared = (FeatureList.parse(version.signature), FeatureList.parse(baseline.signature))
        let inspected = (FeatureList.parse(version.serving?.signature), FeatureList.parse(baseline.serving?.signature))
        let pair: (FeatureList, FeatureList)
        if let mine = declared.0, let theirs = declared.1 {
            pair = (mine, theirs)
        } else if let mine = inspected.0, let theirs = inspected.1 {
            pair = (mine, theirs)
        } else {
            return .init(name: "features", kind: .features, outcome: .skipped,
                         message: "the version and \(baseline.version), which serves, do not both declare input features or both carry a model file")
        }
        let (mine, theirs) = pair
        let differences = mine.differences(from: theirs)
        guard !differences.isEmpty else {
            return .init(name: "features", kind: .features, outcome: .pass,
                         message: "the same \(mine.features.count) inputs as \(baseline.version), in the same order")
        }
        return .init(
            name: "features", kind: .features, outcome: severity == .error ? .error : .warning,
            message: "inputs differ from \(baseline.version), which serves (clients sending its inputs would get 400s): "
                + differences.prefix(10).joined(separator: "; ") + (differences.count > 10 ? "; and \(differences.count - 10) more" : ""))
    }

    /// The features a version declares (its training metadata's names) against what its model file takes: a tabular
    /// model's one `[rows, k]` input must have k columns; named inputs must be the declared names.
    static func declaredFeaturesCheck(_ version: ModelVersion) -> ValidationReport.Check? {
        guard let declared = FeatureList.parse(version.signature)?.features.map(\.name), let serving = version.serving,
            serving.servable, case .object(let signature)? = serving.signature, case .array(let inputs)? = signature["inputs"]
        else { return nil }
        var names: [String] = []
        var widths: [Int?] = []
        for input in inputs {
            guard case .object(let fields) = input, case .string(let name)? = fields["name"] else { return nil }
            names.append(name)
            if case .array(let shape)? = fields["shape"], shape.count == 2, case .number(let k) = shape[1], k >= 0 {
                widths.append(Int(k))
            } else {
                widths.append(nil)
            }
        }
        let message: String?
        if names.count == 1, declared.count > 1 || widths[0] != nil {
            if let width = widths[0] {
                message = width == declared.count ? nil
                    : "the metadata names \(declared.count) features but the model's input \(names[0]) takes \(width) columns"
            } else {
                message = nil  // a free column count: nothing to compare
            }
        } else {
            let missing = names.filter { !declared.contains($0) }
            message = missing.isEmpty && names.count == declared.count ? nil
                : "the metadata names features \(declared.prefix(5).joined(separator: ", ")) but the model's inputs are "
                    + names.prefix(5).joined(separator: ", ")
        }
        return .init(
            name: "features:model", kind: .features, outcome: message == nil ? .pass : .error,
            message: message ?? "the \(declared.count) declared features match the model file's input")
    }

    // MARK: Re-evaluation

    /// A claim off the measured value by more than the tolerance fails; the measured value is the one on record.
    static func evaluationChecks(_ outcome: EvaluationOutcome) -> [ValidationReport.Check] {
        if let problem = outcome.problem {
            return [.init(name: "evaluation", kind: .evaluation, outcome: .error, message: "re-evaluation on \(outcome.dataset) failed: \(problem)")]
        }
        return outcome.measured.keys.sorted().map { metric in
            let measured = outcome.measured[metric]!
            guard let claimed = outcome.claimed[metric] else {
                return .init(
                    name: "evaluation:\(metric)", kind: .evaluation, outcome: .pass, observed: measured,
                    message: "\(metric) measured \(f(measured)) on \(outcome.dataset) (\(outcome.rows) rows); nothing was claimed")
            }
            let off = abs(claimed - measured)
            return .init(
                name: "evaluation:\(metric)", kind: .evaluation, outcome: off > outcome.tolerance + 1e-12 ? .error : .pass,
                observed: measured, threshold: outcome.tolerance,
                message: off > outcome.tolerance + 1e-12
                    ? "claimed \(metric) \(f(claimed)) but measured \(f(measured)) on \(outcome.dataset) (\(outcome.rows) rows), off by more than \(f(outcome.tolerance))"
                    : "claimed \(metric) \(f(claimed)), measured \(f(measured)) on \(outcome.dataset) (\(outcome.rows) rows)")
        }
    }

    // MARK: Loadability

    static func loadabilityCheck(_ version: ModelVersion, files: [ArtifactPath]) -> ValidationReport.Check {
        guard let serving = version.serving else {
            let model = files.first { $0.rawValue.lowercased().hasSuffix(".onnx") || $0.rawValue.lowercased().hasSuffix(".joblib") }
            return .init(
                name: "loadability", kind: .loadability, outcome: .skipped,
                message: model.map { "\($0.rawValue) has not been inspected by a model server" } ?? "the version has no model file")
        }
        if serving.servable {
            return .init(name: "loadability", kind: .loadability, outcome: .pass,
                         message: "\(serving.artifact?.rawValue ?? "the model") loads and answers a smoke prediction")
        }
        return .init(name: "loadability", kind: .loadability, outcome: .error,
                     message: serving.reason ?? "the model server cannot serve this version")
    }

    static func f(_ value: Double) -> String { ValidationReport.format(value) }
}

/// A version's input features, in order, with their types: from the signature it was registered with (MLflow's
/// `{"inputs": [{"name": ..., "type": ...}]}`, the inputs possibly as a JSON string) or else from its model file.
public struct FeatureList: Sendable, Equatable {
    public var features: [(name: String, type: String?)]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.features.map(\.name) == rhs.features.map(\.name) && lhs.features.map(\.type) == rhs.features.map(\.type)
    }

    public init?(_ version: ModelVersion) {
        if let declared = Self.parse(version.signature) { self = declared }
        else if let inspected = Self.parse(version.serving?.signature) { self = inspected }
        else { return nil }
    }

    init(features: [(name: String, type: String?)]) { self.features = features }

    static func parse(_ signature: JSONValue?) -> FeatureList? {
        guard case .object(let object)? = signature, var inputs = object["inputs"] else { return nil }
        if case .string(let text) = inputs, text.utf8.count <= 1 << 20,
            let data = text.data(using: .utf8), let decoded = try? JSONDecoder().decode(JSONValue.self, from: data)
        {
            inputs = decoded
        }
        guard case .array(let list) = inputs, !list.isEmpty else { return nil }
        var features: [(name: String, type: String?)] = []
        for item in list {
            guard case .object(let fields) = item, case .string(let name)? = fields["name"] else { return nil }
            var type: String?
            if case .string(let t)? = fields["type"] ?? fields["datatype"] { type = t.lowercased() }
            // A model file's inputs carry shapes: a tabular model's feature count is its last dimension.
            if case .array(let dims)? = fields["shape"] {
                let shape = dims.map { if case .number(let n) = $0, n >= 0 { String(Int(n)) } else { "?" } }
                type = (type ?? "") + "[" + shape.joined(separator: ", ") + "]"
            }
            features.append((name, type))
        }
        return FeatureList(features: features)
    }

    /// What a client of `other` would find changed: missing and new inputs, a changed order, changed types.
    public func differences(from other: FeatureList) -> [String] {
        let mine = features.map(\.name)
        let theirs = other.features.map(\.name)
        var result: [String] = []
        let missing = theirs.filter { !mine.contains($0) }
        let added = mine.filter { !theirs.contains($0) }
        if !missing.isEmpty { result.append("missing " + missing.joined(separator: ", ")) }
        if !added.isEmpty { result.append("new " + added.joined(separator: ", ")) }
        if missing.isEmpty && added.isEmpty && mine != theirs { result.append("the order changed") }
        let theirTypes = Dictionary(other.features.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        for (name, type) in features {
            if let old = theirTypes[name], let old, let type, old != type {
                result.append("\(name) is \(type), was \(old)")
            }
        }
        return result
    }
}
