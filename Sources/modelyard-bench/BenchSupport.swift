import AsyncHTTPClient
import Foundation
import HTTPServer
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Registry

/// A Modelyard server on a free loopback port, inside this process.
struct LiveServer {
    let port: Int
    let task: Task<Void, any Error>

    static func start(_ components: ModelyardServer.Components, logger: Logger) async throws -> LiveServer {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = ModelyardServer.buildApplication(
            components,
            configuration: ServerConfiguration(port: 0, gcInterval: nil), logger: logger
        ) { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        for await port in stream { return LiveServer(port: port, task: task) }
        throw CancellationError()
    }

    func stop() { task.cancel() }
}

/// HTTP calls and timing loops.
struct BenchClient {
    let base: String
    /// Sent as `Authorization: Bearer` when set.
    var token: String? = nil
    let http = HTTPClient.shared

    func request(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        return request
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> Int {
        var request = request(method, path)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 64 << 20)
        guard response.status.code < 400 else {
            throw BenchError(message: "\(method) \(path) answered \(response.status.code)")
        }
        return Int(response.status.code)
    }

    /// Operations per second for `count` calls spread over `concurrency` workers.
    func throughput(count: Int, concurrency: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws
        -> Double
    {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var index = worker
                    while index < count {
                        try await operation(index)
                        index += concurrency
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(count) / (ContinuousClock.now - start).benchSeconds
    }

    /// Per-call latencies in milliseconds, one client.
    func latencies(samples: Int, _ operation: (Int) async throws -> Void) async throws -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(samples)
        for index in 0..<samples {
            let start = ContinuousClock.now
            try await operation(index)
            result.append((ContinuousClock.now - start).benchSeconds * 1_000)
        }
        return result.sorted()
    }
}

struct BenchError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The printed table: each figure beside its baseline and the ratio.
struct Report {
    var lines: [String] = []

    mutating func add(_ name: String, value: Double, unit: String, baselineName: String, baseline: Double) {
        guard baseline > 0 else {
            return lines.append(pad(name, 52) + String(format: "%10.0f ", value) + unit + " (reference line)")
        }
        lines.append(
            pad(name, 52) + String(format: "%10.0f ", value) + pad(unit, 11) + "| baseline " + pad(baselineName, 16)
                + String(format: "%10.0f | ratio %.2f", baseline, value / baseline))
    }

    mutating func latency(_ name: String, _ sorted: [Double], baseline: [Double]) {
        func percentile(_ values: [Double], _ p: Double) -> Double { values[min(values.count - 1, Int(Double(values.count) * p))] }
        let (p50, p99) = (percentile(sorted, 0.5), percentile(sorted, 0.99))
        let (b50, b99) = (percentile(baseline, 0.5), percentile(baseline, 0.99))
        lines.append(
            pad(name, 52)
                + String(
                    format: "p50 %6.2f ms p99 %6.2f ms | baseline GET /healthz p50 %5.2f ms p99 %5.2f ms | ratio p50 %.1f p99 %.1f",
                    p50, p99, b50, b99, p50 / b50, p99 / b99))
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    var rendered: String { (["modelyard-bench registry"] + lines).joined(separator: "\n") }
}
