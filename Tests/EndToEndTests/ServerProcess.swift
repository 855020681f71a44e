import Foundation
import Synchronization
import Testing

/// The built `modelyard` binary, next to the test bundle (or `$MODELYARD_BIN`).
enum TestBinary {
    static var url: URL {
        if let override = ProcessInfo.processInfo.environment["MODELYARD_BIN"] { return URL(fileURLWithPath: override) }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("modelyard")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/modelyard")
    }
}

/// A `modelyard serve` child process on a free loopback port, stopped by the test.
final class ServerProcess: Sendable {
    let process: Process
    let port: Int
    let dataDirectory: URL
    private let stderrText = TextBuffer()
    /// Kept open for the reader thread until the process is gone.
    private let errorPipe: Pipe

    var url: String { "http://127.0.0.1:\(port)" }

    init(dataDirectory: URL, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        self.dataDirectory = dataDirectory
        let process = Process()
        process.executableURL = TestBinary.url
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory.path, "--log-level", "warning"] + extraArguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        self.process = process
        let stderrText = self.stderrText
        self.errorPipe = err
        // A plain thread reads stderr until end of file (the server exited). Not a `readabilityHandler`: its dispatch
        // read source, torn down with the pipe, intermittently crashed libdispatch's event loop (SIGSEGV in
        // `_dispatch_event_loop_drain`, a known swift-corelibs-foundation teardown race) under the test runner.
        let reader = err.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { return }
                stderrText.append(String(decoding: data, as: UTF8.self))
            }
        }
        // The server prints one line with its address once it listens.
        var buffer = Data()
        let deadline = Date().addingTimeInterval(60)
        var port: Int?
        while port == nil, Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty {
                if !process.isRunning { break }
                continue
            }
            buffer += chunk
            let text = String(decoding: buffer, as: UTF8.self)
            if let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last ?? "")
            }
        }
        guard let port else {
            process.terminate()
            process.waitUntilExit()
            throw ServerProcessError(message: "server did not start: \(stderrText.text)")
        }
        self.port = port
    }

    var stderr: String { stderrText.text }

    func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits for exit and returns the status.
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Text appended from a pipe's reader thread and read by the test.
final class TextBuffer: Sendable {
    private let storage = Mutex("")
    func append(_ text: String) { storage.withLock { $0 += text } }
    var text: String { storage.withLock { $0 } }
}

struct ServerProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A finished CLI invocation.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `modelyard ARGS` against `server` and captures its output.
func runCLI(_ arguments: [String], server: ServerProcess?, environment: [String: String] = [:], directory: URL? = nil) throws -> CLIResult {
    let process = Process()
    process.executableURL = TestBinary.url
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    if let server { env["MODELYARD_URL"] = server.url }
    env["MODELYARD_ACTOR"] = "cli-tester"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}

func temporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
