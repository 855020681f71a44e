import ArgumentParser
import Foundation

/// `modelyard predict MODEL`
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a deployed model (its production environment unless --env or --version).",
        discussion: """
            Rows come from --row (repeatable; comma-separated values, numbers where they parse), from --input
            (a JSON file holding {"inputs": [...]} or just the array of rows; rows are arrays or objects of named
            features), or from standard input when neither is given.

            Examples:
              modelyard predict fraud --row 0.1,3,1.5
              modelyard predict fraud --env staging --input rows.json
              modelyard predict churn --version 1.2.0 --input '-' < rows.json
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Option(name: [.customLong("env"), .customLong("environment")], help: "Environment whose version answers.")
    var environment: String?
    @Option(help: "A specific version (semantic version, registration number or @alias) instead of an environment.")
    var version: String?
    @Option(help: "JSON file with the rows ('-' for standard input).") var input: String?
    // `unconditionalSingleValue`: a row may start with a minus sign (`--row -1.5,2`), which is a value, not a flag.
    @Option(
        name: .customLong("row"), parsing: .unconditionalSingleValue,
        help: "One row as comma-separated values (repeatable; may start with a minus sign).")
    var rows: [String] = []

    func validate() throws {
        if environment != nil && version != nil { throw ValidationError("give --env or --version, not both") }
        if input != nil && !rows.isEmpty { throw ValidationError("give --input or --row, not both") }
    }

    func run() async throws {
        let body = try requestBody()
        let path = version.map { APIPath.version(model, $0) + "/predict" }
            ?? APIPath.model(model) + "/predict" + APIPath.query([("environment", environment)])
        let data = try await options.client.send(.POST, path, rawJSON: body)
        if options.json { return Output.printJSON(data) }
        guard let result = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return Output.printJSON(data) }
        Output.print(Self.render(result))
    }

    /// The request: {"inputs": rows}.
    func requestBody() throws -> Data {
        if !rows.isEmpty {
            let parsed: [[Any]] = rows.map { row in
                row.split(separator: ",", omittingEmptySubsequences: false).map { cell -> Any in
                    let text = cell.trimmingCharacters(in: .whitespaces)
                    return Double(text).map { $0 as Any } ?? text
                }
            }
            return try JSONSerialization.data(withJSONObject: ["inputs": parsed])
        }
        let raw: Data
        if let input, input != "-" {
            guard let data = FileManager.default.contents(atPath: input) else { throw CLIError("cannot read '\(input)'") }
            raw = data
        } else {
            raw = FileHandle.standardInput.readDataToEndOfFile()
        }
        guard let parsed = try? JSONSerialization.jsonObject(with: raw) else {
            throw CLIError("the input is not JSON; give {\"inputs\": [[...], ...]} or an array of rows")
        }
        if parsed is [Any] { return try JSONSerialization.data(withJSONObject: ["inputs": parsed]) }
        return raw
    }

    /// A table: one line per row with the label, the probabilities by class, and the score.
    static func render(_ result: [String: Any]) -> String {
        let labels = result["labels"] as? [Any]
        let probabilities = result["probabilities"] as? [[Any]]
        let scores = result["scores"] as? [Any]
        let classes = (result["classes"] as? [Any])?.map { "\($0)" }
        var headers = ["row"]
        if labels != nil { headers.append("label") }
        if let probabilities, let width = probabilities.first?.count {
            headers += (0..<width).map { "p(\(classes?.indices.contains($0) == true ? classes![$0] : "\($0)"))" }
        }
        if scores != nil { headers.append("score") }
        var table = Table(headers: headers)
        let count = (result["rows"] as? Int) ?? labels?.count ?? scores?.count ?? 0
        for row in 0..<count {
            var cells = ["\(row)"]
            if let labels { cells.append(row < labels.count ? "\(labels[row])" : "") }
            if let probabilities, row < probabilities.count { cells += probabilities[row].map(format) }
            if let scores { cells.append(row < scores.count ? format(scores[row]) : "") }
            table.add(row: cells)
        }
        let environment = (result["environment"] as? String).map { " (\($0))" } ?? ""
        let latency = (result["latency_ms"] as? Double).map { String(format: "%.3f ms", $0) } ?? "?"
        return "\(result["model"] ?? "?") \(result["version"] ?? "?")\(environment), \(latency)\n" + table.rendered
    }

    static func format(_ value: Any) -> String {
        if let number = value as? Double { return String(format: "%.6g", number) }
        if let array = value as? [Any] { return "[" + array.map(format).joined(separator: ", ") + "]" }
        return "\(value)"
    }
}

/// `modelyard serving status|performance`
struct ServingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serving",
        abstract: "What the server serves and how it performs.",
        discussion: "Examples:\n  modelyard serving status\n  modelyard serving performance fraud 1.2.0\n  modelyard serving limits fraud --max-error-rate 0.05",
        subcommands: [Status.self, Performance.self, Limits.self])

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set when the serving version is rolled back automatically (error rate, p99 latency).",
            discussion: """
                With no option, shows the limits. The default rolls back when more than half the requests of the last
                60 s fail (with at least 20 requests).

                Examples:
                  modelyard serving limits fraud
                  modelyard serving limits fraud --max-error-rate 0.05 --max-p99-ms 40 --window 120 --min-requests 50
                  modelyard serving limits fraud --reset
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(help: "Largest share of failed requests (0-1).") var maxErrorRate: Double?
        @Option(name: .customLong("max-p99-ms"), help: "Largest p99 model latency in milliseconds.") var maxP99: Double?
        @Option(help: "Window in seconds (10-300).") var window: Int?
        @Option(help: "Requests the window must hold before the limits apply.") var minRequests: Int?
        @Flag(help: "Back to the defaults.") var reset = false
        @Option(help: "Why (recorded in the audit log).") var reason: String?

        func run() async throws {
            let path = APIPath.model(model) + "/serving-limits"
            let setting = reset || maxErrorRate != nil || maxP99 != nil || window != nil || minRequests != nil
            let data: Data
            if setting {
                var body: [String: Any] = [:]
                if reset { body["reset"] = true }
                if let maxErrorRate { body["max_error_rate"] = maxErrorRate }
                if let maxP99 { body["max_p99_ms"] = maxP99 }
                if let window { body["window_seconds"] = window }
                if let minRequests { body["min_requests"] = minRequests }
                if let reason { body["reason"] = reason }
                data = try await options.client.send(.PUT, path, rawJSON: try JSONSerialization.data(withJSONObject: body))
            } else {
                data = try await options.client.send(.GET, path)
            }
            if options.json { return Output.printJSON(data) }
            let limits = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            let rate = (limits["max_error_rate"] as? Double).map { "error rate above \(PredictCommand.format($0 * 100)) %" }
            let p99 = (limits["max_p99_ms"] as? Double).map { "p99 above \(PredictCommand.format($0)) ms" }
            let rules = [rate, p99].compactMap { $0 }
            Output.print(
                "\(model): " + (rules.isEmpty ? "never rolled back automatically" : "rolled back when " + rules.joined(separator: " or "))
                    + " over \(limits["window_seconds"] ?? 60) s (at least \(limits["min_requests"] ?? 20) requests)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every model environment this server serves: version, state, load time, in-flight requests.",
            discussion: "Example:\n  modelyard serving status")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let data = try await options.client.send(.GET, "/api/v1/serving")
            if options.json { return Output.printJSON(data) }
            let routes = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["routes"] as? [[String: Any]] ?? []
            guard !routes.isEmpty else { return Output.print("Nothing is served: deploy a version with an ONNX model first.") }
            var table = Table("model", "environment", "version", "serving", "state", "in flight", "problem")
            for route in routes {
                table.add(
                    "\(route["model"] ?? "")", "\(route["environment"] ?? "")", "\(route["version"] ?? "")",
                    "\(route["serving_version"] ?? "-")", "\(route["state"] ?? "")", "\(route["in_flight"] ?? 0)",
                    "\(route["problem"] ?? "")")
            }
            Output.print(table.rendered)
        }
    }

    struct Performance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Requests, errors, latency percentiles and throughput of a loaded version.",
            discussion: "Example:\n  modelyard serving performance fraud 1.2.0")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Version.") var version: String

        func run() async throws {
            let data = try await options.client.send(.GET, APIPath.version(model, version) + "/performance")
            if options.json { return Output.printJSON(data) }
            let body = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            guard let performance = body["performance"] as? [String: Any] else {
                return Output.print("\(model) \(body["version"] ?? version) is not loaded on this server.")
            }
            var lines = [
                "\(model) \(body["version"] ?? version): \(performance["requests"] ?? 0) requests, \(performance["rows"] ?? 0) rows, "
                    + "\(performance["errors"] ?? 0) errors, \(performance["rejected"] ?? 0) rejected since load"
            ]
            var table = Table("window", "requests", "errors", "req/s", "rows/s", "p50 ms", "p95 ms", "p99 ms")
            for window in performance["windows"] as? [[String: Any]] ?? [] {
                table.add(
                    "\(window["seconds"] ?? 0)s", "\(window["requests"] ?? 0)", "\(window["errors"] ?? 0)",
                    PredictCommand.format(window["requests_per_second"] ?? 0), PredictCommand.format(window["rows_per_second"] ?? 0),
                    window["p50_ms"].map(PredictCommand.format) ?? "-", window["p95_ms"].map(PredictCommand.format) ?? "-",
                    window["p99_ms"].map(PredictCommand.format) ?? "-")
            }
            lines.append(table.rendered)
            Output.print(lines.joined(separator: "\n"))
        }
    }
}

/// `modelyard traffic set|show`
struct TrafficCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traffic",
        abstract: "Share an environment's traffic between the deployed version and canaries, with an optional shadow.",
        discussion: """
            The deployed version takes what the shares leave. A shadow receives a copy of every request; its answers
            are recorded (see `modelyard serving status`) and never returned.

            Examples:
              modelyard traffic set fraud --share 1.3.0=10 --reason "canary"
              modelyard traffic set fraud --share 1.3.0=50 --env staging       # A/B
              modelyard traffic set fraud --shadow 1.4.0
              modelyard traffic set fraud --clear
              modelyard traffic show fraud
            """,
        subcommands: [Set.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the shares (VERSION=PERCENT, repeatable) and shadow of an environment; replaces what was set.",
            discussion: "Examples:\n  modelyard traffic set fraud --share 1.3.0=10\n  modelyard traffic set fraud --clear")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(name: [.customLong("env"), .customLong("environment")], help: "Environment alias.") var environment = "production"
        @Option(name: .customLong("share"), help: "VERSION=PERCENT (1-99), repeatable.") var shares: [String] = []
        @Option(help: "Version that receives a mirror of the traffic.") var shadow: String?
        @Flag(help: "Remove every share and the shadow.") var clear = false
        @Option(help: "Why (recorded in the audit log).") var reason: String?
        @Flag(help: "Give shares to versions that fail validation (needs --reason; audited).") var force = false
        @Flag(help: "Give shares to embedding models whose vectors differ from those serving (needs --reason; audited).")
        var allowIncompatible = false

        func validate() throws {
            if allowIncompatible && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--allow-incompatible needs --reason: say how mixed vectors are handled")
            }
            if clear && (!shares.isEmpty || shadow != nil) { throw ValidationError("--clear takes no --share or --shadow") }
            if !clear && shares.isEmpty && shadow == nil { throw ValidationError("give --share, --shadow or --clear") }
            if force && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--force needs --reason: say why the versions should take traffic anyway")
            }
        }

        func run() async throws {
            var parsed: [[String: Any]] = []
            for share in shares {
                let parts = share.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let percent = Int(parts[1]) else {
                    throw CLIError("--share '\(share)' must be VERSION=PERCENT, e.g. 1.3.0=10")
                }
                parsed.append(["version": parts[0], "percent": percent])
            }
            var body: [String: Any] = ["environment": environment, "shares": parsed]
            if let shadow { body["shadow"] = shadow }
            if let reason { body["reason"] = reason }
            if force { body["force"] = true }
            if allowIncompatible { body["allow_incompatible"] = true }
            let data = try await options.client.send(
                .PUT, APIPath.model(model) + "/traffic", rawJSON: try JSONSerialization.data(withJSONObject: body))
            if options.json { return Output.printJSON(data) }
            let saved = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            Output.print("\(model) \(environment): " + TrafficCommand.describe(saved))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The traffic policy of each environment.", discussion: "Example:\n  modelyard traffic show fraud")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String

        func run() async throws {
            let data = try await options.client.send(.GET, APIPath.model(model) + "/traffic")
            if options.json { return Output.printJSON(data) }
            let environments = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["environments"] as? [String: [String: Any]] ?? [:]
            guard !environments.isEmpty else { return Output.print("No shares or shadows: each environment's deployed version takes all its traffic.") }
            Output.print(environments.keys.sorted().map { "\($0): " + TrafficCommand.describe(environments[$0]!) }.joined(separator: "\n"))
        }
    }

    static func describe(_ policy: [String: Any]) -> String {
        let shares = (policy["shares"] as? [[String: Any]] ?? []).map { "\($0["version"] ?? "?") \($0["percent"] ?? 0)%" }
        let taken = (policy["shares"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["percent"] as? Int) ?? 0) }
        var parts = shares.isEmpty ? ["the deployed version takes all traffic"] : shares + ["deployed version \(100 - taken)%"]
        if let shadow = policy["shadow"] as? String { parts.append("shadow \(shadow)") }
        return parts.joined(separator: ", ")
    }
}
