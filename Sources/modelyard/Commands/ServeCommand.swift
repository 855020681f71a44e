import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import ModelRuntime
import ModelyardComposition
import Hummingbird
import Logging
import Registry
import RegistryCore

/// `modelyard serve`: runs the server until SIGTERM or Ctrl-C.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Modelyard server.",
        discussion: """
            Settings come from flags, then MODELYARD_* environment variables, then a JSON config file
            (--config or $MODELYARD_CONFIG), then defaults: 127.0.0.1:8080 with data in ./modelyard-data.

            Access: on a loopback address (the default) no token is needed unless --auth; on any other address every
            request needs a token unless --no-auth, which the server warns about. Create the first admin token with
            `modelyard tokens create admin --bootstrap --data-dir DIR`.

            Examples:
              modelyard serve
              modelyard serve --host 0.0.0.0 --data-dir /var/lib/modelyard
              modelyard serve --auth --cors-origin https://ml.example.com
              modelyard serve --port 9000 --data-dir /var/lib/modelyard
              AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… modelyard serve --artifacts s3://ml-artifacts/modelyard
              MODELYARD_PORT=9000 MODELYARD_HOME=/srv/modelyard modelyard serve
            """)

    @Option(help: "Address to listen on ($MODELYARD_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on ($MODELYARD_PORT; default 8080, 0 picks a free port).") var port: Int?
    @Option(help: "Data directory ($MODELYARD_HOME; default ./modelyard-data).") var dataDir: String?
    @Option(help: "Where artifacts are kept: s3://bucket/prefix, with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL (for MinIO and other S3-compatible stores) ($MODELYARD_ARTIFACTS; default: artifacts/ in the data directory).")
    var artifacts: String?
    @Option(help: "Largest artifact in bytes ($MODELYARD_MAX_ARTIFACT_SIZE; default 10 GiB).") var maxArtifactSize: Int64?
    @Option(help: "Bytes of model files the model pool may hold in memory ($MODELYARD_MAX_LOADED_BYTES; default 4 GiB).")
    var maxLoadedBytes: Int64?
    @Option(help: "Largest model file the pool loads ($MODELYARD_MAX_MODEL_BYTES; default 1 GiB).") var maxModelBytes: Int64?
    @Option(help: "Days of per-minute inference summaries kept ($MODELYARD_INFERENCE_RETENTION_DAYS; default 30).")
    var inferenceRetentionDays: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error ($MODELYARD_LOG_LEVEL; default info).")
    var logLevel: String?
    @Option(help: "Directory under which POST /api/v1/imports may import training folders by path ($MODELYARD_IMPORT_ROOT; default: none).")
    var importRoot: String?
    @Option(help: "Directory whose new training folders are imported once complete ($MODELYARD_WATCH_DIR; default: none).")
    var watchDir: String?
    @Flag(help: "Require API tokens even on a loopback address ($MODELYARD_AUTH=on).") var auth = false
    @Flag(help: "Serve without tokens on a non-loopback address: anyone who can reach it may do anything ($MODELYARD_AUTH=off).")
    var noAuth = false
    @Option(help: "An origin whose pages may call the API (repeatable; $MODELYARD_CORS_ORIGINS, comma-separated; default none).")
    var corsOrigin: [String] = []
    @Option(help: "Requests a token may make per minute; beyond it, 429 with Retry-After ($MODELYARD_RATE_LIMIT; default: no limit).")
    var rateLimit: Int?
    @Option(help: "JSON config file with host, port, data_dir, artifacts, max_artifact_size, max_loaded_bytes, max_model_bytes, inference_retention_days, log_level, import_root, watch_dir, auth, cors_origins, rate_limit ($MODELYARD_CONFIG).")
    var config: String?

    func validate() throws {
        if auth && noAuth { throw ValidationError("--auth and --no-auth contradict each other; give one") }
    }

    func run() async throws {
        AllocatorTuning.keepLargeBuffers()
        let settings = try ServeSettings.resolve(
            flags: .init(
                host: host, port: port, dataDir: dataDir, artifacts: artifacts, maxArtifactSize: maxArtifactSize, maxLoadedBytes: maxLoadedBytes,
                maxModelBytes: maxModelBytes, inferenceRetentionDays: inferenceRetentionDays, logLevel: logLevel,
                importRoot: importRoot, watchDir: watchDir, auth: auth ? true : noAuth ? false : nil,
                corsOrigins: corsOrigin.isEmpty ? nil : corsOrigin, rateLimit: rateLimit),
            environment: ProcessInfo.processInfo.environment, configPath: config)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = settings.logLevel
            return handler
        }
        let logger = Logger(label: "modelyard")
        var configuration = ServerConfiguration(
            host: settings.host, port: settings.port, dataDirectory: settings.dataDirectory,
            limits: .init(maxArtifactSize: settings.maxArtifactSize),
            inferenceRetention: TimeInterval(settings.inferenceRetentionDays) * 86_400)
        configuration.watchDirectory = settings.watchDirectory
        do {
            try await settings.artifacts.checkReachable(logger: logger)
        } catch let error as RegistryError {
            throw ValidationError("artifact store \(settings.artifacts.describe(dataDirectory: settings.dataDirectory)): \(error.message)")
        }
        var components = try Composition.open(
            dataDirectory: settings.dataDirectory, artifacts: settings.artifacts, limits: configuration.limits,
            serving: .init(maxLoadedBytes: settings.maxLoadedBytes, maxModelBytes: settings.maxModelBytes), logger: logger)
        components.importRoot = settings.importRoot
        components.access = settings.access
        if !settings.access.authentication && !ServeSettings.isLoopback(settings.host) {
            logger.warning(
                "serving WITHOUT authentication on a non-loopback address (--no-auth): anyone who can reach \(settings.host):\(settings.port) may deploy, delete and import")
        }
        let app = ModelyardServer.buildApplication(components, configuration: configuration, logger: logger) {
            port in
            // One parseable line on stdout so scripts (and tests using port 0) learn the address.
            var location = "data: \(settings.dataDirectory.path)"
            if case .s3 = settings.artifacts {
                location += ", artifacts: \(settings.artifacts.describe(dataDirectory: settings.dataDirectory))"
            }
            Output.print("modelyard listening on http://\(settings.host):\(port) (\(location))")
        }
        try await app.runService()
    }
}

/// The server's settings after applying precedence: flags > environment > config file > defaults.
struct ServeSettings: Equatable {
    struct Values: Codable, Equatable {
        var host: String?
        var port: Int?
        var dataDir: String?
        var artifacts: String?
        var maxArtifactSize: Int64?
        var maxLoadedBytes: Int64?
        var maxModelBytes: Int64?
        var inferenceRetentionDays: Int?
        var logLevel: String?
        var importRoot: String?
        var watchDir: String?
        var auth: Bool?
        var corsOrigins: [String]?
        var rateLimit: Int?

        enum CodingKeys: String, CodingKey {
            case host, port
            case dataDir = "data_dir"
            case artifacts
            case maxArtifactSize = "max_artifact_size"
            case maxLoadedBytes = "max_loaded_bytes"
            case maxModelBytes = "max_model_bytes"
            case inferenceRetentionDays = "inference_retention_days"
            case logLevel = "log_level"
            case importRoot = "import_root"
            case watchDir = "watch_dir"
            case auth
            case corsOrigins = "cors_origins"
            case rateLimit = "rate_limit"
        }
    }

    var host: String
    var port: Int
    var dataDirectory: URL
    var artifacts: ArtifactLocation = .dataDirectory
    var maxArtifactSize: Int64
    var maxLoadedBytes: Int64
    var maxModelBytes: Int64
    var inferenceRetentionDays: Int
    var logLevel: Logger.Level
    var importRoot: URL? = nil
    var watchDirectory: URL? = nil
    var access = AccessSettings()

    /// Whether `host` is a loopback address (only this machine can connect).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    static func resolve(flags: Values, environment env: [String: String], configPath: String?) throws -> ServeSettings {
        var file = Values()
        if let path = configPath ?? env["MODELYARD_CONFIG"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read config file \(path)")
            }
            do {
                file = try JSONDecoder().decode(Values.self, from: data)
            } catch {
                throw ValidationError("config file \(path) is not valid: \(error)")
            }
        }
        func int<T: FixedWidthInteger>(_ name: String) throws -> T? {
            guard let text = env[name], !text.isEmpty else { return nil }
            guard let value = T(text) else { throw ValidationError("\(name) must be an integer, not '\(text)'") }
            return value
        }
        let port = try flags.port ?? int("MODELYARD_PORT") ?? file.port ?? 8080
        guard (0...65535).contains(port) else { throw ValidationError("port must be between 0 and 65535") }
        let maxSize = try flags.maxArtifactSize ?? int("MODELYARD_MAX_ARTIFACT_SIZE") ?? file.maxArtifactSize
            ?? 10 * 1024 * 1024 * 1024
        guard maxSize > 0 else { throw ValidationError("max artifact size must be positive") }
        let maxLoaded = try flags.maxLoadedBytes ?? int("MODELYARD_MAX_LOADED_BYTES") ?? file.maxLoadedBytes ?? 4 << 30
        let maxModel = try flags.maxModelBytes ?? int("MODELYARD_MAX_MODEL_BYTES") ?? file.maxModelBytes ?? 1 << 30
        guard maxLoaded > 0, maxModel > 0 else { throw ValidationError("model memory limits must be positive") }
        let retention = try flags.inferenceRetentionDays ?? int("MODELYARD_INFERENCE_RETENTION_DAYS")
            ?? file.inferenceRetentionDays ?? 30
        guard (1...36_500).contains(retention) else {
            throw ValidationError("inference retention must be between 1 and 36500 days")
        }
        let levelText = flags.logLevel ?? env["MODELYARD_LOG_LEVEL"] ?? file.logLevel ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let dataDir = flags.dataDir ?? env["MODELYARD_HOME"] ?? env["MODELYARD_DATA_DIR"] ?? file.dataDir ?? "modelyard-data"
        func directory(_ value: String?, _ what: String) throws -> URL? {
            guard let value, !value.isEmpty else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("\(what) \(value) is not a directory")
            }
            return URL(fileURLWithPath: value, isDirectory: true)
        }
        let host = flags.host ?? env["MODELYARD_HOST"] ?? file.host ?? "127.0.0.1"
        var authText: Bool?
        if let text = env["MODELYARD_AUTH"], !text.isEmpty {
            switch text.lowercased() {
            case "on", "true", "1", "yes": authText = true
            case "off", "false", "0", "no": authText = false
            default: throw ValidationError("MODELYARD_AUTH must be on or off, not '\(text)'")
            }
        }
        let authentication = flags.auth ?? authText ?? file.auth ?? !isLoopback(host)
        let origins = flags.corsOrigins
            ?? env["MODELYARD_CORS_ORIGINS"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? file.corsOrigins ?? []
        for origin in origins where origin != "*" {
            guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                url.path.isEmpty || url.path == "/"
            else {
                throw ValidationError("CORS origin '\(origin)' must be a scheme and host such as https://ml.example.com, or *")
            }
        }
        let artifacts: ArtifactLocation
        do {
            artifacts = try ArtifactLocation.parse(flags.artifacts ?? env["MODELYARD_ARTIFACTS"] ?? file.artifacts, environment: env)
        } catch let error as RegistryError {
            throw ValidationError(error.message)
        }
        let rateLimit = try flags.rateLimit ?? int("MODELYARD_RATE_LIMIT") ?? file.rateLimit
        if let rateLimit, rateLimit < 1 { throw ValidationError("the rate limit must be at least 1 request a minute") }
        return ServeSettings(
            host: host, port: port,
            dataDirectory: URL(fileURLWithPath: dataDir), artifacts: artifacts, maxArtifactSize: maxSize, maxLoadedBytes: maxLoaded,
            maxModelBytes: maxModel, inferenceRetentionDays: retention, logLevel: level,
            importRoot: try directory(flags.importRoot ?? env["MODELYARD_IMPORT_ROOT"] ?? file.importRoot, "the import root"),
            watchDirectory: try directory(flags.watchDir ?? env["MODELYARD_WATCH_DIR"] ?? file.watchDir, "the watched directory"),
            access: AccessSettings(
                authentication: authentication, corsOrigins: origins.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
                requestsPerMinute: rateLimit))
    }
}
