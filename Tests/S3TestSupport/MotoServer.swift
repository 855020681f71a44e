import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real S3 API for tests: moto's server mode (PyPI `moto[server]`, installed into `.venv-s3` by
/// `scripts/test.sh`) on a free loopback port, started once per test process and stopped with it.
///
/// moto runs under a small shell that checks once a second that the test process is alive and stops moto when it
/// is not, however the test process ended, so no server outlives the tests. (A pipe held open by the test process
/// does not work as a lifeline: every child the tests spawn inherits its writing end.)
/// `MODELYARD_TEST_S3_ENDPOINT` points the tests at an S3 API that is already running instead.
public enum MotoServer {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

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
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let binary = environment["MODELYARD_MOTO_SERVER"] ?? root.appendingPathComponent(".venv-s3/bin/moto_server").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Unavailable(
                description:
                    "the S3 tests need moto: run scripts/test.sh, or scripts/setup-venv.sh .venv-s3 scripts/s3/requirements.txt")
        }
        for _ in 0..<5 {
            let port = try freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [
                "-c",
                "\"$0\" -H 127.0.0.1 -p \"$1\" >/dev/null 2>&1 & moto=$!; "
                    + "while kill -0 \"$2\" 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 1; done; kill -9 $moto",
                binary, String(port), String(ProcessInfo.processInfo.processIdentifier),
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, process.isRunning {
                if canConnect(port) {
                    keeper = process
                    return URL(string: "http://127.0.0.1:\(port)")!
                }
                usleep(100_000)
            }
            process.terminate()
            process.waitUntilExit()
        }
        throw Unavailable(description: "moto did not start (\(binary))")
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Unavailable(description: "no free port (errno \(errno))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
