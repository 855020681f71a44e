import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real PostgreSQL for tests: a cluster made by `initdb` in a temporary directory, listening on a free loopback
/// port, started once per test process and stopped (its directory removed) with it. Debian's `postgresql` package
/// provides the programs (`scripts/test.sh` installs it when missing). PostgreSQL refuses to run as root, so under
/// root the cluster belongs to the `postgres` user the package creates.
///
/// `MODELYARD_TEST_DATABASE_URL` (a `postgres://` URL of a role that may create databases) points the tests at a
/// server that is already running instead.
public enum PostgresServer {
    /// A new, empty database for one test; its `postgres://` URL.
    public static func createDatabase(_ label: String) throws -> String {
        let server = try shared.get()
        let name = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        try ChildServer.run(server.createdb, ["-h", server.host, "-p", String(server.port), "-U", server.user, name])
        return "postgres://\(server.user)@\(server.host):\(server.port)/\(name)"
    }

    private struct Server {
        var host: String
        var port: Int
        var user: String
        var createdb: String
    }

    nonisolated(unsafe) private static var keeper: Process?
    private static let shared = Result<Server, any Error> { try start() }

    /// The newest installed PostgreSQL's programs, or `MODELYARD_PG_BIN`.
    private static func binaries() throws -> String {
        if let given = ProcessInfo.processInfo.environment["MODELYARD_PG_BIN"] { return given }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        throw ChildServer.Failure(
            description: "the PostgreSQL tests need its programs: run scripts/test.sh, or apt-get install postgresql")
    }

    private static func start() throws -> Server {
        if let given = ProcessInfo.processInfo.environment["MODELYARD_TEST_DATABASE_URL"],
            let url = URL(string: given), let host = url.host, let port = url.port
        {
            return Server(host: host, port: port, user: url.user ?? "postgres", createdb: "createdb")
        }
        let bin = try binaries()
        let user = getuid() == 0 ? "postgres" : nil
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-pg-\(UUID().uuidString)")
        let data = directory.appendingPathComponent("data").path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let user { try ChildServer.run("/bin/chown", [user, directory.path]) }
        // No fsync: a test cluster need not survive a power cut, and fsync dominates its commits.
        try ChildServer.run(
            "\(bin)/initdb", ["-D", data, "-U", "modelyard", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
            user: user)
        for _ in 0..<5 {
            let port = try ChildServer.freePort()
            let command =
                "'\(bin)/postgres' -D '\(data)' -p \(port) -k '\(directory.path)' -c listen_addresses=127.0.0.1 "
                + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            let process = try ChildServer.launch(command, cleanup: "rm -rf '\(directory.path)'", user: user)
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, process.isRunning {
                if ChildServer.canConnect(port),
                    (try? ChildServer.run("\(bin)/pg_isready", ["-h", "127.0.0.1", "-p", String(port)])) != nil
                {
                    keeper = process
                    return Server(host: "127.0.0.1", port: port, user: "modelyard", createdb: "\(bin)/createdb")
                }
                usleep(100_000)
            }
        }
        throw ChildServer.Failure(description: "PostgreSQL did not start (\(bin)/postgres)")
    }
}
