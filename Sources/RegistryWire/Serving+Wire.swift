public import Foundation
public import RegistryCore

extension ServingInfo: Codable {
    enum CodingKeys: String, CodingKey {
        case runtime, artifact, sha256, servable, reason, signature
        case reasonCode = "reason_code"
        case inspectedAt = "inspected_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            runtime: try c.decode(String.self, forKey: .runtime),
            artifact: try c.decodeIfPresent(ArtifactPath.self, forKey: .artifact),
            sha256: try c.decodeIfPresent(BlobDigest.self, forKey: .sha256),
            servable: try c.decode(Bool.self, forKey: .servable),
            reasonCode: try c.decodeIfPresent(String.self, forKey: .reasonCode),
            reason: try c.decodeIfPresent(String.self, forKey: .reason),
            signature: try c.decodeIfPresent(JSONValue.self, forKey: .signature),
            inspectedAt: try c.decode(Date.self, forKey: .inspectedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runtime, forKey: .runtime)
        try c.encodeIfPresent(artifact, forKey: .artifact)
        try c.encodeIfPresent(sha256, forKey: .sha256)
        try c.encode(servable, forKey: .servable)
        try c.encodeIfPresent(reasonCode, forKey: .reasonCode)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(signature, forKey: .signature)
        try c.encode(inspectedAt, forKey: .inspectedAt)
    }
}

extension ServingLimits: Codable {
    enum CodingKeys: String, CodingKey {
        case maxErrorRate = "max_error_rate"
        case maxP99Milliseconds = "max_p99_ms"
        case windowSeconds = "window_seconds"
        case minRequests = "min_requests"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            maxErrorRate: try c.decodeIfPresent(Double.self, forKey: .maxErrorRate),
            maxP99Milliseconds: try c.decodeIfPresent(Double.self, forKey: .maxP99Milliseconds),
            windowSeconds: try c.decode(Int.self, forKey: .windowSeconds),
            minRequests: try c.decode(Int.self, forKey: .minRequests))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(maxErrorRate, forKey: .maxErrorRate)
        try c.encodeIfPresent(maxP99Milliseconds, forKey: .maxP99Milliseconds)
        try c.encode(windowSeconds, forKey: .windowSeconds)
        try c.encode(minRequests, forKey: .minRequests)
    }
}

extension BenchmarkReport: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version, measurements, suite
        case runBy = "run_by"
        case runAt = "run_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            version: try c.decode(SemanticVersion.self, forKey: .version),
            measurements: try c.decode([Measurement].self, forKey: .measurements),
            suite: try c.decodeIfPresent(SuiteResult.self, forKey: .suite),
            runBy: try c.decode(String.self, forKey: .runBy),
            runAt: try c.decode(Date.self, forKey: .runAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(measurements, forKey: .measurements)
        try c.encodeIfPresent(suite, forKey: .suite)
        try c.encode(runBy, forKey: .runBy)
        try c.encode(runAt, forKey: .runAt)
    }
}

extension BenchmarkReport.Measurement: Codable {
    enum CodingKeys: String, CodingKey {
        case batch, iterations
        case meanMilliseconds = "mean_ms"
        case p50Milliseconds = "p50_ms"
        case p99Milliseconds = "p99_ms"
        case rowsPerSecond = "rows_per_second"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            batch: try c.decode(Int.self, forKey: .batch),
            iterations: try c.decode(Int.self, forKey: .iterations),
            meanMilliseconds: try c.decode(Double.self, forKey: .meanMilliseconds),
            p50Milliseconds: try c.decode(Double.self, forKey: .p50Milliseconds),
            p99Milliseconds: try c.decode(Double.self, forKey: .p99Milliseconds),
            rowsPerSecond: try c.decode(Double.self, forKey: .rowsPerSecond))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(batch, forKey: .batch)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(meanMilliseconds, forKey: .meanMilliseconds)
        try c.encode(p50Milliseconds, forKey: .p50Milliseconds)
        try c.encode(p99Milliseconds, forKey: .p99Milliseconds)
        try c.encode(rowsPerSecond, forKey: .rowsPerSecond)
    }
}

extension InferenceSummary: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version, requests, rows, errors, rejected
        case periodStart = "period_start"
        case periodSeconds = "period_seconds"
        case p50Milliseconds = "p50_ms"
        case p95Milliseconds = "p95_ms"
        case p99Milliseconds = "p99_ms"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            version: try c.decode(SemanticVersion.self, forKey: .version),
            periodStart: try c.decode(Date.self, forKey: .periodStart),
            periodSeconds: try c.decode(Int.self, forKey: .periodSeconds),
            requests: try c.decode(Int.self, forKey: .requests),
            rows: try c.decode(Int.self, forKey: .rows),
            errors: try c.decode(Int.self, forKey: .errors),
            rejected: try c.decode(Int.self, forKey: .rejected),
            p50Milliseconds: try c.decodeIfPresent(Double.self, forKey: .p50Milliseconds),
            p95Milliseconds: try c.decodeIfPresent(Double.self, forKey: .p95Milliseconds),
            p99Milliseconds: try c.decodeIfPresent(Double.self, forKey: .p99Milliseconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(periodStart, forKey: .periodStart)
        try c.encode(periodSeconds, forKey: .periodSeconds)
        try c.encode(requests, forKey: .requests)
        try c.encode(rows, forKey: .rows)
        try c.encode(errors, forKey: .errors)
        try c.encode(rejected, forKey: .rejected)
        try c.encodeIfPresent(p50Milliseconds, forKey: .p50Milliseconds)
        try c.encodeIfPresent(p95Milliseconds, forKey: .p95Milliseconds)
        try c.encodeIfPresent(p99Milliseconds, forKey: .p99Milliseconds)
    }
}

extension TrafficPolicy: Codable {
    enum CodingKeys: String, CodingKey {
        case shares, shadow
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            shares: try c.decode([Share].self, forKey: .shares),
            shadow: try c.decodeIfPresent(SemanticVersion.self, forKey: .shadow))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shares, forKey: .shares)
        try c.encodeIfPresent(shadow, forKey: .shadow)
    }
}

extension TrafficPolicy.Share: Codable {
    enum CodingKeys: String, CodingKey {
        case version, percent
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(SemanticVersion.self, forKey: .version),
            percent: try c.decode(Int.self, forKey: .percent))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(percent, forKey: .percent)
    }
}

extension SuiteResult: Codable {
    enum CodingKeys: String, CodingKey {
        case suite, sha256, kind, metrics, texts, seconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            suite: try c.decode(SuiteName.self, forKey: .suite), sha256: try c.decode(BlobDigest.self, forKey: .sha256),
            kind: try c.decode(SuiteKind.self, forKey: .kind), metrics: try c.decode([String: Double].self, forKey: .metrics),
            texts: try c.decode(Int.self, forKey: .texts), seconds: try c.decode(Double.self, forKey: .seconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(suite, forKey: .suite)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(kind, forKey: .kind)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(texts, forKey: .texts)
        try c.encode(seconds, forKey: .seconds)
    }
}

extension BenchmarkSuite: Codable {
    enum CodingKeys: String, CodingKey {
        case name, kind, description, sha256, size, queries, documents, judgements, pairs
        case createdBy = "created_by"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(SuiteName.self, forKey: .name), kind: try c.decode(SuiteKind.self, forKey: .kind),
            description: try c.decodeIfPresent(String.self, forKey: .description) ?? "",
            sha256: try c.decode(BlobDigest.self, forKey: .sha256), size: try c.decode(Int64.self, forKey: .size),
            queries: try c.decodeIfPresent(Int.self, forKey: .queries) ?? 0,
            documents: try c.decodeIfPresent(Int.self, forKey: .documents) ?? 0,
            judgements: try c.decodeIfPresent(Int.self, forKey: .judgements) ?? 0,
            pairs: try c.decodeIfPresent(Int.self, forKey: .pairs) ?? 0,
            createdBy: try c.decode(String.self, forKey: .createdBy), createdAt: try c.decode(Date.self, forKey: .createdAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(description, forKey: .description)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(size, forKey: .size)
        switch kind {
        case .retrieval:
            try c.encode(queries, forKey: .queries)
            try c.encode(documents, forKey: .documents)
            try c.encode(judgements, forKey: .judgements)
        case .pairs:
            try c.encode(pairs, forKey: .pairs)
        }
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(createdAt, forKey: .createdAt)
    }
}
