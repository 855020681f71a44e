import ArgumentParser
import AsyncHTTPClient
import DriftStatistics
import Foundation
import Logging
import ModelyardComposition
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// `modelyard-bench drift`: a 50-column current window against a reference of the same size, Modelyard's report
/// (from the stored profile) against Evidently's DataDriftPreset on the same data, one thread each, in the same run.
/// Each side runs in a process of its own so its peak RSS is its own.
struct DriftBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Time a drift report: Modelyard (stored profile) vs Evidently's DataDriftPreset, with peak RSS.",
        discussion: """
            Needs the drift venv (scripts/setup-venv.sh .venv-drift scripts/drift/requirements.txt).
              swift run -c release modelyard-bench drift
              swift run -c release modelyard-bench drift --rows 20000
            """)

    @Option(help: "Rows of the reference and of the current window.") var rows = 100_000
    @Option(help: "Columns (four fifths numbers, one fifth categories).") var columns = 50
    @Option(help: "Python with Evidently installed.") var python = ".venv-drift/bin/python"
    @Option(help: "Modelyard report runs (the best is kept).") var runs = 5
    @Option(help: "Evidently report runs (the best is kept).") var evidentlyRuns = 1
    @Option(help: "Write the generated CSVs and profile here and keep them.") var keep: String?
    @Flag(help: "Measure the serving path instead: prediction throughput with and without a drift reference.")
    var serving = false
    @Option(help: "Seconds per serving measurement.") var seconds = 3.0
    @Option(help: "Serving rounds (each measures both versions; the best of each is kept).") var rounds = 5
    @Option(help: "Internal: run one side in this process (profile REF OUT | report PROFILE CUR).") var worker: String?
    @Argument(help: "Internal: the worker's files.") var files: [String] = []

    func run() async throws {
        if let worker { return try runWorker(worker) }
        if serving { return try await measureServing() }
        let work = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-drift-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: work) } }
        let reference = work.appendingPathComponent("reference.csv")
        let current = work.appendingPathComponent("current.csv")
        let profile = work.appendingPathComponent("reference.profile")
        FileHandle.standardError.write(Data("writing \(rows) x \(columns) reference and current CSVs...\n".utf8))
        try Self.dataset(rows: rows, columns: columns, shifted: false, seed: 1).write(to: reference)
        try Self.dataset(rows: rows, columns: columns, shifted: true, seed: 2).write(to: current)

        FileHandle.standardError.write(Data("Modelyard: profiling the reference, then the report...\n".utf8))
        let profiled = try Self.json(try Self.runSelf(["drift", "--worker", "profile", reference.path, profile.path]))
        let reported = try Self.json(try Self.runSelf(["drift", "--worker", "report", profile.path, current.path, "--runs", "\(runs)"]))
        FileHandle.standardError.write(Data("Evidently: the report (\(evidentlyRuns) run)...\n".utf8))
        let evidently = try Self.json(
            try ONNXBenchmark.runPython(
                python,
                ["scripts/drift/bench_evidently.py", "--reference", reference.path, "--current", current.path, "--runs", "\(evidentlyRuns)"]))

        let ours = reported["seconds"] as! Double
        let theirs = evidently["seconds"] as! Double
        let statistics = reported["columns"] as! [String: Double]
        let baseline = evidently["columns"] as! [String: Double]
        let worst = baseline.map { name, value in abs((statistics[name] ?? .nan) - value) }.max() ?? .nan
        func mb(_ object: [String: Any], _ key: String) -> String { String(format: "%.0f MB", object[key] as? Double ?? .nan) }
        let lines = [
            "modelyard-bench drift (\(rows) reference rows, \(rows) current rows, \(columns) columns; one thread; best of runs)",
            String(format: "  report          Modelyard %9.1f ms | Evidently %9.1f ms | ratio %.0fx", ours * 1000, theirs * 1000, theirs / ours),
            String(format: "  reference profile (once per version)  %9.1f ms, %.1f MB stored", (profiled["seconds"] as! Double) * 1000,
                (profiled["bytes"] as! Double) / 1e6),
            String(format: "  current CSV parse (batch check only)  %9.1f ms", (reported["parse_seconds"] as! Double) * 1000),
            "  peak RSS        Modelyard report \(mb(reported, "rss_peak_mb")) (profiling \(mb(profiled, "rss_peak_mb"))) | "
                + "Evidently \(mb(evidently, "rss_peak_mb")) (\(mb(evidently, "rss_loaded_mb")) with both frames loaded)",
            "  verdicts        drifted columns Modelyard \(reported["drifted"] as? Int ?? -1) | Evidently \((evidently["drifted"] as? Double).map { Int($0) } ?? -1); "
                + String(format: "largest statistic difference %.1e (the reference's sketch of 10,000 points)", worst),
            "targets: report ≥100x Evidently \(theirs / ours >= 100 ? "met" : "NOT met")",
        ]
        print(lines.joined(separator: "\n"))
    }

    /// Four fifths normal numbers (the current's odd columns shifted by 0.2 standard deviations), one fifth
    /// categories of five values (the current's shares moved).
    static func dataset(rows: Int, columns: Int, shifted: Bool, seed: UInt64) -> Data {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        let numeric = columns * 4 / 5
        var text = (0..<columns).map { $0 < numeric ? "x\($0)" : "c\($0)" }.joined(separator: ",") + "\n"
        text.reserveCapacity(rows * columns * 10)
        let words = ["web", "app", "store", "phone", "kiosk"]
        for _ in 0..<rows {
            var cells: [String] = []
            cells.reserveCapacity(columns)
            for j in 0..<columns {
                if j < numeric {
                    let z = (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
                    cells.append(String(format: "%.5f", z + (shifted && j % 2 == 1 ? 0.2 : 0)))
                } else {
                    let u = uniform()
                    let index = shifted && j % 2 == 1 ? min(4, Int(u * u * 5)) : min(4, Int(u * 5))
                    cells.append(words[index])
                }
            }
            text += cells.joined(separator: ",") + "\n"
        }
        return Data(text.utf8)
    }

    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    func runWorker(_ mode: String) throws {
        var out: [String: Any] = [:]
        switch mode {
        case "profile":
            let table = try DriftTable(parsing: Data(contentsOf: URL(fileURLWithPath: files[0])), name: files[0])
            let start = ContinuousClock.now
            let bytes = ReferenceProfile(table).encoded()
            out["seconds"] = (ContinuousClock.now - start).benchSeconds
            try Data(bytes).write(to: URL(fileURLWithPath: files[1]))
            out["bytes"] = Double(bytes.count)
        case "report":
            let profile = try ReferenceProfile(decoding: [UInt8](try Data(contentsOf: URL(fileURLWithPath: files[0]))))
            var start = ContinuousClock.now
            let table = try DriftTable(parsing: Data(contentsOf: URL(fileURLWithPath: files[1])), name: files[1])
            out["parse_seconds"] = (ContinuousClock.now - start).benchSeconds
            let current = Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.values) })
            var best = Double.infinity
            var report: DriftReport?
            for _ in 0..<max(1, runs) {
                start = ContinuousClock.now
                report = DriftReport(profile: profile, current: current, currentRows: table.rows)
                best = min(best, (ContinuousClock.now - start).benchSeconds)
            }
            out["seconds"] = best
            out["drifted"] = report!.driftedColumns
            out["columns"] = Dictionary(uniqueKeysWithValues: report!.columns.compactMap { c in c.statistic.map { (c.name, $0) } })
        default: throw BenchError(message: "unknown worker \(mode)")
        }
        out["rss_peak_mb"] = Self.peakRSSMegabytes()
        print(String(decoding: try JSONSerialization.data(withJSONObject: out), as: UTF8.self))
    }

    static func runSelf(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(message: "the drift worker exited with \(process.terminationStatus)") }
        return data
    }

    static func json(_ data: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BenchError(message: "a worker printed no JSON")
        }
        return object
    }

    /// Prediction throughput over HTTP of two versions of the same 100-tree forest on one server, one with a drift
    /// reference (its served rows go to the monitor and the drift service judges them every second) and one
    /// without, measured alternately, best of three rounds each, at batch 1 and batch 100 with 8 clients.
    func measureServing() async throws {
        let model = try Data(contentsOf: URL(fileURLWithPath: "fixtures/onnx/random_forest.onnx"))
        let fixture = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "fixtures/onnx/random_forest.json"))) as? [String: Any]
        guard let inputs = fixture?["inputs"] as? [[String: Any]], let flat = inputs.first?["data"] as? [Double] else {
            throw BenchError(message: "fixtures/onnx/random_forest.json has no inputs (run from the repository root)")
        }
        let sample = stride(from: 0, to: flat.count, by: 20).map { Array(flat[$0..<($0 + 20)]) }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-drift-serving-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let components = try Composition.open(dataDirectory: work, logger: logger)
        let server = try await LiveServer.start(components, logger: logger)
        defer { server.stop() }
        let client = BenchClient(base: "http://127.0.0.1:\(server.port)")
        var reference = (0..<20).map { "f\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<2_000 { reference += sample[r % sample.count].map { String($0 + Double(r % 7) * 0.01) }.joined(separator: ",") + "\n" }
        for name in ["plain", "watched"] {
            try await client.send(.POST, "/api/v1/models", #"{"name": "\#(name)"}"#)
            try await client.send(.POST, "/api/v1/models/\(name)/versions", "{}")
            var upload = HTTPClientRequest(url: client.base + "/api/v1/models/\(name)/versions/1.0.0/artifacts/model.onnx")
            upload.method = .PUT
            upload.body = .bytes(ByteBuffer(data: model))
            _ = try await HTTPClient.shared.execute(upload, timeout: .seconds(60))
            try await client.send(.PATCH, "/api/v1/models/\(name)/versions/1.0.0", #"{"status": "ready"}"#)
            try await client.send(.POST, "/api/v1/models/\(name)/deployments", #"{"version": "1.0.0"}"#)
        }
        var put = client.request(.PUT, "/api/v1/models/watched/versions/1.0.0/drift/reference")
        put.body = .bytes(ByteBuffer(string: reference))
        let answered = try await HTTPClient.shared.execute(put, timeout: .seconds(60))
        guard answered.status == .created else { throw BenchError(message: "setting the reference answered \(answered.status)") }

        var lines = ["modelyard-bench drift --serving (100-tree forest, 8 clients, \(seconds) s per measurement, best of \(rounds) alternating rounds)"]
        var met: [String] = []
        for batch in [1, 100] {
            let body = String(
                decoding: try JSONSerialization.data(withJSONObject: ["inputs": (0..<batch).map { sample[$0 % sample.count] }]), as: UTF8.self)
            var best = ["plain": 0.0, "watched": 0.0]
            for round in 0..<rounds {
                // Alternate which goes first, so a drift in the machine's speed does not favour one side.
                for name in round % 2 == 0 ? ["plain", "watched"] : ["watched", "plain"] {
                    let deadline = ContinuousClock.now + .seconds(seconds)
                    let count = try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<8 {
                            group.addTask {
                                var sent = 0
                                while ContinuousClock.now < deadline {
                                    try await client.send(.POST, "/api/v1/models/\(name)/predict", body)
                                    sent += 1
                                }
                                return sent
                            }
                        }
                        return try await group.reduce(0, +)
                    }
                    best[name] = max(best[name]!, Double(count) / seconds)
                }
            }
            let loss = 1 - best["watched"]! / best["plain"]!
            lines.append(
                String(
                    format: "  batch %3d  without drift %8.0f req/s | with drift %8.0f req/s | throughput lost %.1f %%", batch,
                    best["plain"]!, best["watched"]!, loss * 100))
            met.append("batch \(batch) loses < 5 % \(loss < 0.05 ? "met" : "NOT met")")
        }
        let status = try await HTTPClient.shared.execute(client.request(.GET, "/api/v1/models/watched/versions/1.0.0/drift"), timeout: .seconds(60))
        let body = try await status.body.collect(upTo: 64 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        lines.append("  rows judged by the monitor: \(object?["rows_seen"] as? Int ?? -1), skipped: \(object?["skipped_rows"] as? Int ?? -1)")
        lines.append("targets: " + met.joined(separator: "; "))
        print(lines.joined(separator: "\n"))
    }
}
