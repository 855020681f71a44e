import Foundation

/// A real S3 API for tests: moto's server mode (PyPI `moto[server]`, installed into `.venv-s3` by
/// `scripts/test.sh`) on a free loopback port, started once per test process and stopped with it.
/// `MODELYARD_TEST_S3_ENDPOINT` points the tests at an S3 API that is already running instead.
public enum MotoServer {
    /// The endpoint, e.g. `http://127.0.0.1:41234`.
    public static func endpoint() throws -> URL {
        try shared.get()
    }

    /// Credentials moto accepts (any), exported the way the server reads them.
    public static func environment(endpoint: URL) -> [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "modelyard-test", "AWS_SECRET_ACCESS_KEY": "modelyard-test-secret",
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint.absoluteString,
        ]
    }

    /// A bucket name no other test uses.
    public static func uniqueBucket(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    nonisolated(unsafe) private static var keeper: Process?
    private static let shared = Result<URL, any Error> { try start() }

    private static func start() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["MODELYARD_TEST_S3_ENDPOINT"], let url = URL(string: given) { return url }
        let binary = environment["MODELYARD_MOTO_SERVER"]
            ?? ChildServer.repositoryRoot.appendingPathComponent(".venv-s3/bin/moto_server").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ChildServer.Failure(
                description:
                    "the S3 tests need moto: run scripts/test.sh, or scripts/setup-venv.sh .venv-s3 scripts/s3/requirements.txt")
        }
        for _ in 0..<5 {
            let port = try ChildServer.freePort()
            let process = try ChildServer.launch("'\(binary)' -H 127.0.0.1 -p \(port)")
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, process.isRunning {
                if ChildServer.canConnect(port) {
                    keeper = process
                    return URL(string: "http://127.0.0.1:\(port)")!
                }
                usleep(100_000)
            }
            // Exited (the port was taken meanwhile) or too slow: its lifeline stops it with the tests; try another.
        }
        throw ChildServer.Failure(description: "moto did not start (\(binary))")
    }
}
