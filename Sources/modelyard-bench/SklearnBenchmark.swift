import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPServer
import Logging
import ModelRuntime
import ModelyardComposition
import NIOCore
import NIOHTTP1
import ScikitLearn

#if canImport(Glibc)
    import Glibc
#endif

/// `modelyard-bench sklearn`: scikit-learn models from their joblib files — Modelyard's native reader in-process and
/// over HTTP against scikit-learn in-process and MLServer's sklearn runtime over HTTP, in the same run, one thread.
struct SklearnBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sklearn",
        abstract: "Time joblib models (IsolationForest 200, RandomForest 100): Modelyard vs scikit-learn and MLServer.",
        discussion: """
            Needs a venv with scikit-learn, mlserver and mlserver-sklearn (scripts/sklearn/setup-bench-venv.sh).
              swift run -c release modelyard-bench sklearn
            """)

    @Option(help: "Python with scikit-learn (and MLServer) installed.") var python = ".venv-mlserver/bin/python"
    @Option(help: "The mlserver command (skipped when absent).") var mlserver = ".venv-mlserver/bin/mlserver"
    @Option(help: "Calls timed per round at batch 1.") var runs = 300
    @Option(help: "Only time loading this joblib file, phase by phase (file read, pickle, translation).")
    var profileLoad: String?

    struct Figures {
        var b1 = Double.infinity
        var b1000 = Double.infinity
        var load = Double.infinity
    }

    func run() async throws {
        if let profileLoad {
            for _ in 0..<3 {
                var start = ContinuousClock.now
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: profileLoad)))
                let read = (ContinuousClock.now - start).benchSeconds
                start = ContinuousClock.now
                _ = try JoblibFile.read(bytes, allowed: SklearnSession.allowedNames, maxInflatedBytes: 1 << 30)
                let pickle = (ContinuousClock.now - start).benchSeconds
                start = ContinuousClock.now
                _ = try SklearnSession(bytes: bytes)
                let total = (ContinuousClock.now - start).benchSeconds
                print(String(format: "file %.1f ms, pickle %.1f ms, pickle + translation %.1f ms", read * 1000, pickle * 1000, total * 1000))
            }
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-sklearn-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let mlserverPort = try Self.freePort()
        FileHandle.standardError.write(Data("training and timing scikit-learn (one thread)...\n".utf8))
        let output = try ONNXBenchmark.runPython(python, ["scripts/sklearn/bench_sklearn.py", "--out", work.path, "--mlserver-port", "\(mlserverPort)"])
        guard let root = try JSONSerialization.jsonObject(with: output) as? [String: Any],
            let baseline = root["models"] as? [String: [String: Any]]
        else { throw BenchError(message: "bench_sklearn.py printed no JSON") }
        let names = ["iforest", "forest"]

        var native: [String: Figures] = [:]
        var inputs: [String: (b1: [[Double]], b1000: [[Double]])] = [:]
        for name in names {
            let path = work.appendingPathComponent("\(name)/model.joblib")
            let rows1 = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("\(name).b1.json"))) as! [[Double]]
            let rows1000 = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("\(name).b1000.json"))) as! [[Double]]
            inputs[name] = (rows1, rows1000)
            var figures = Figures()
            var loads: [Double] = []
            for _ in 0..<5 {
                let start = ContinuousClock.now
                _ = try SklearnSession(bytes: [UInt8](try Data(contentsOf: path)))
                loads.append((ContinuousClock.now - start).benchSeconds)
            }
            figures.load = loads.sorted()[2]
            let session = try SklearnSession(bytes: [UInt8](try Data(contentsOf: path)))
            let x1 = ["X": try Tensor(shape: [1, 20], doubles: rows1.flatMap { $0 })]
            let x1000 = ["X": try Tensor(shape: [rows1000.count, 20], doubles: rows1000.flatMap { $0 })]
            figures.b1 = try Self.timed(runs: runs) { _ = try session.run(x1) }
            figures.b1000 = try Self.timed(runs: 20) { _ = try session.run(x1000) }
            native[name] = figures
        }

        FileHandle.standardError.write(Data("timing Modelyard over HTTP...\n".utf8))
        let http = try await timeModelyard(work: work, names: names, inputs: inputs)
        var mlserverFigures: [String: Figures] = [:]
        if FileManager.default.isExecutableFile(atPath: mlserver) {
            FileHandle.standardError.write(Data("timing MLServer over HTTP...\n".utf8))
            mlserverFigures = try await timeMLServer(work: work, port: mlserverPort, names: names, inputs: inputs, baseline: baseline)
        }

        var lines = ["modelyard-bench sklearn (scikit-learn \(root["sklearn"] as? String ?? "?"), one thread; seconds are medians, best of 3 rounds)"]
        func ms(_ s: Double) -> String { String(format: "%9.3f ms", s * 1000) }
        var met: [String] = []
        for name in names {
            let b = baseline[name] ?? [:]
            let sk1 = b["b1"] as? Double ?? .nan
            let sk1000 = b["b1000"] as? Double ?? .nan
            let load = b["load"] as? Double ?? .nan
            let method = b["method"] as? String ?? "?"
            let n = native[name]!
            let h = http[name]!
            let label = name == "iforest" ? "IsolationForest(200)" : "RandomForestClassifier(100)"
            lines.append("\(label) \(method):")
            lines.append("  in-process  batch 1     Modelyard \(ms(n.b1)) | scikit-learn \(ms(sk1)) | ratio \(String(format: "%.1f", sk1 / n.b1))x")
            lines.append("  in-process  batch 1000  Modelyard \(ms(n.b1000)) | scikit-learn \(ms(sk1000)) | ratio \(String(format: "%.1f", sk1000 / n.b1000))x")
            if let m = mlserverFigures[name] {
                lines.append("  over HTTP   batch 1     Modelyard \(ms(h.b1)) | MLServer     \(ms(m.b1)) | ratio \(String(format: "%.1f", m.b1 / h.b1))x")
                lines.append("  over HTTP   batch 1000  Modelyard \(ms(h.b1000)) | MLServer     \(ms(m.b1000)) | ratio \(String(format: "%.1f", m.b1000 / h.b1000))x")
                met.append("\(name) HTTP ≥10x MLServer at batch 1 \(m.b1 / h.b1 >= 10 ? "met" : "NOT met")")
            } else {
                lines.append("  over HTTP   batch 1     Modelyard \(ms(h.b1)) | MLServer not installed")
                lines.append("  over HTTP   batch 1000  Modelyard \(ms(h.b1000))")
            }
            lines.append("  load        file        Modelyard \(ms(n.load)) | joblib.load  \(ms(load)) | ratio \(String(format: "%.1f", load / n.load))x")
            met.append("\(name) ≥10x scikit-learn at batch 1 \(sk1 / n.b1 >= 10 ? "met" : "NOT met")")
            met.append("\(name) faster than scikit-learn at batch 1000 \(sk1000 / n.b1000 > 1 ? "met" : "NOT met")")
            if name == "iforest" { met.append("200-tree file loads faster than joblib.load \(load / n.load > 1 ? "met" : "NOT met")") }
        }
        lines.append("targets: " + met.joined(separator: "; "))
        print(lines.joined(separator: "\n"))
    }

    /// Median seconds per call over `runs` calls, best of three rounds, after a warm-up.
    static func timed(runs: Int, _ call: () throws -> Void) throws -> Double {
        try call()
        var best = Double.infinity
        for _ in 0..<3 {
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                try call()
                samples.append((ContinuousClock.now - start).benchSeconds)
            }
            samples.sort()
            best = min(best, samples[samples.count / 2])
        }
        return best
    }

    /// The same, for calls that await.
    static func timedAsync(runs: Int, _ call: () async throws -> Void) async throws -> Double {
        try await call()
        var best = Double.infinity
        for _ in 0..<3 {
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                try await call()
                samples.append((ContinuousClock.now - start).benchSeconds)
            }
            samples.sort()
            best = min(best, samples[samples.count / 2])
        }
        return best
    }

    /// An Open Inference Protocol request body for `rows` under the input name `input`.
    static func body(_ rows: [[Double]], input: String, output: String? = nil) throws -> String {
        var object: [String: Any] = [
            "inputs": [["name": input, "shape": [rows.count, rows.first?.count ?? 0], "datatype": "FP64", "data": rows.flatMap { $0 }]]
        ]
        if let output { object["outputs"] = [["name": output]] }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func timeModelyard(work: URL, names: [String], inputs: [String: (b1: [[Double]], b1000: [[Double]])]) async throws
        -> [String: Figures]
    {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let data = work.appendingPathComponent("registry")
        let components = try Composition.open(dataDirectory: data, logger: logger)
        let server = try await LiveServer.start(components, logger: logger)
        defer { server.stop() }
        let client = BenchClient(base: "http://127.0.0.1:\(server.port)")
        var result: [String: Figures] = [:]
        for name in names {
            try await client.send(.POST, "/api/v1/models", #"{"name": "\#(name)"}"#)
            try await client.send(.POST, "/api/v1/models/\(name)/versions", "{}")
            var upload = client.request(.PUT, "/api/v1/models/\(name)/versions/1.0.0/artifacts/model.joblib")
            upload.body = .bytes(ByteBuffer(data: try Data(contentsOf: work.appendingPathComponent("\(name)/model.joblib"))))
            let uploaded = try await HTTPClient.shared.execute(upload, timeout: .seconds(120))
            _ = try await uploaded.body.collect(upTo: 1 << 20)
            guard uploaded.status == .created else { throw BenchError(message: "upload answered \(uploaded.status)") }
            try await client.send(.PATCH, "/api/v1/models/\(name)/versions/1.0.0", #"{"status": "ready"}"#)
            try await client.send(.POST, "/api/v1/models/\(name)/deployments", #"{"version": "1.0.0"}"#)
            let small = try Self.body(inputs[name]!.b1, input: "X")
            let big = try Self.body(inputs[name]!.b1000, input: "X")
            var figures = Figures()
            figures.b1 = try await Self.timedAsync(runs: runs) { try await client.send(.POST, "/v2/models/\(name)/infer", small) }
            figures.b1000 = try await Self.timedAsync(runs: 20) { try await client.send(.POST, "/v2/models/\(name)/infer", big) }
            result[name] = figures
        }
        return result
    }

    func timeMLServer(
        work: URL, port: Int, names: [String], inputs: [String: (b1: [[Double]], b1000: [[Double]])],
        baseline: [String: [String: Any]]
    ) async throws -> [String: Figures] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mlserver)
        process.arguments = ["start", work.appendingPathComponent("mlserver").path]
        var environment = ProcessInfo.processInfo.environment
        for variable in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] { environment[variable] = "1" }
        process.environment = environment
        let log = work.appendingPathComponent("mlserver.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        do {
            let result = try await measureMLServer(process: process, log: log, port: port, names: names, inputs: inputs, baseline: baseline)
            await Self.stop(process)
            return result
        } catch {
            await Self.stop(process)
            throw error
        }
    }

    /// SIGINT (MLServer's graceful stop), then SIGKILL if it is still up after 10 s. Polls instead of
    /// `waitUntilExit`, which spins a core on Linux.
    static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.interrupt()
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func measureMLServer(
        process: Process, log: URL, port: Int, names: [String], inputs: [String: (b1: [[Double]], b1000: [[Double]])],
        baseline: [String: [String: Any]]
    ) async throws -> [String: Figures] {
        let client = BenchClient(base: "http://127.0.0.1:\(port)")
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            if (try? await client.send(.GET, "/v2/health/ready")) == 200,
                (try? await client.send(.GET, "/v2/models/\(names.last!)/ready")) == 200
            {
                break
            }
            guard ContinuousClock.now < deadline, process.isRunning else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw BenchError(message: "MLServer did not become ready:\n" + String(text.suffix(2_000)))
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        var result: [String: Figures] = [:]
        for name in names {
            let served = baseline[name]?["served"] as? String ?? "predict"
            let small = try Self.body(inputs[name]!.b1, input: "input-0", output: served)
            let big = try Self.body(inputs[name]!.b1000, input: "input-0", output: served)
            var figures = Figures()
            figures.b1 = try await Self.timedAsync(runs: runs) { try await client.send(.POST, "/v2/models/\(name)/infer", small) }
            figures.b1000 = try await Self.timedAsync(runs: 20) { try await client.send(.POST, "/v2/models/\(name)/infer", big) }
            result[name] = figures
        }
        return result
    }

    /// A loopback port free now (the OS picks it; closed before MLServer binds it).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw BenchError(message: "bind() failed") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
