import Foundation
import Testing

@Suite(.serialized) struct ServeLifecycleTests {
    @Test func sigtermShutsDownGracefullyAndDataSurvives() throws {
        let data = try temporaryDirectory("sigterm")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try ServerProcess(dataDirectory: data)
        #expect(try runCLI(["models", "create", "kept"], server: server).status == 0)
        server.kill(SIGTERM)
        // Not a speed target: a background service that sleeps through shutdown once held the exit for a minute.
        let asked = Date()
        #expect(server.wait() == 0, "graceful shutdown exits cleanly: \(server.stderr)")
        #expect(Date().timeIntervalSince(asked) < 30, "shutdown must not wait out a background service's period")
        let again = try ServerProcess(dataDirectory: data)
        defer { again.kill(SIGKILL) }
        #expect(try runCLI(["models", "list"], server: again).stdout.contains("kept"))
    }

    @Test func environmentVariablesConfigureTheServer() throws {
        let data = try temporaryDirectory("env")
        defer { try? FileManager.default.removeItem(at: data) }
        let bad = try runCLI(["serve"], server: nil, environment: ["MODELYARD_PORT": "eighty"])
        #expect(bad.status != 0 && bad.stderr.contains("MODELYARD_PORT must be an integer"))
        let config = data.appendingPathComponent("config.json")
        try #"{"port": 70000}"#.write(to: config, atomically: true, encoding: .utf8)
        let badConfig = try runCLI(["serve", "--config", config.path], server: nil)
        #expect(badConfig.status != 0 && badConfig.stderr.contains("port must be between"))
    }
}
