import Foundation
import Testing

@testable import modelyard

/// Tokens from the CLI against a server that requires them: the bootstrap, every token command, and what a token
/// may and may not do, through the real binary.
@Suite(.serialized) struct AccessCLITests {
    @Test func authenticationIsOnByDefaultOffLoopbackAndConfigurable() throws {
        func settings(_ flags: ServeSettings.Values = .init(), _ env: [String: String] = [:]) throws -> ServeSettings {
            try ServeSettings.resolve(flags: flags, environment: env, configPath: nil)
        }
        #expect(try settings().access.authentication == false)
        var anywhere = ServeSettings.Values()
        anywhere.host = "0.0.0.0"
        #expect(try settings(anywhere).access.authentication == true)
        anywhere.auth = false  // --no-auth
        #expect(try settings(anywhere).access.authentication == false)
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1"] { #expect(ServeSettings.isLoopback(host)) }
        for host in ["0.0.0.0", "10.0.0.5", "::", "example.com"] { #expect(!ServeSettings.isLoopback(host)) }
        #expect(try settings(.init(), ["MODELYARD_AUTH": "on"]).access.authentication == true)
        #expect(try settings(.init(), ["MODELYARD_HOST": "0.0.0.0", "MODELYARD_AUTH": "off"]).access.authentication == false)
        #expect(throws: (any Error).self) { try settings(.init(), ["MODELYARD_AUTH": "maybe"]) }
        let cors = try settings(.init(), ["MODELYARD_CORS_ORIGINS": "https://a.example.com, http://b.example:3000/", "MODELYARD_RATE_LIMIT": "600"])
        #expect(cors.access.corsOrigins == ["https://a.example.com", "http://b.example:3000"] && cors.access.requestsPerMinute == 600)
        for bad in ["a.example.com", "ftp://a.example", "https://a.example/path"] {
            #expect(throws: (any Error).self, "\(bad)") { try settings(.init(), ["MODELYARD_CORS_ORIGINS": bad]) }
        }
        #expect(throws: (any Error).self) { try settings(.init(), ["MODELYARD_RATE_LIMIT": "0"]) }
        let both = try runCLI(["serve", "--auth", "--no-auth"], server: nil)
        #expect(both.status != 0 && both.stderr.contains("contradict"))
    }

    @Test func bootstrapThenEveryTokenCommand() throws {
        let work = try temporaryDirectory("cli-auth")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data")
        let bootstrap = try runCLI(["tokens", "create", "root", "--bootstrap", "--data-dir", data.path], server: nil)
        #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
        let admin = bootstrap.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(admin.hasPrefix("myd_") && bootstrap.stderr.contains("only time"))
        let again = try runCLI(["tokens", "create", "root", "--bootstrap", "--data-dir", data.path], server: nil)
        #expect(again.status != 0 && again.stderr.contains("exists"))

        let server = try ServerProcess(dataDirectory: data, extraArguments: ["--auth"])
        defer { server.kill(SIGKILL) }
        let anonymous = try runCLI(["models", "list"], server: server)
        #expect(anonymous.status != 0 && anonymous.stderr.contains("needs a token") && anonymous.stderr.contains("HTTP 401"))

        func cli(_ arguments: [String], token: String) throws -> CLIResult {
            try runCLI(arguments, server: server, environment: ["MODELYARD_TOKEN": token])
        }
        #expect(try cli(["models", "create", "fraud"], token: admin).status == 0)
        #expect(try cli(["models", "create", "churn"], token: admin).status == 0)
        let created = try cli(["tokens", "create", "ci", "--scope", "write", "--model", "fraud", "--expires", "30d"], token: admin)
        #expect(created.status == 0, "\(created.stderr)")
        let ci = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let list = try cli(["tokens", "list"], token: admin)
        #expect(list.stdout.contains("ci") && list.stdout.contains("fraud") && list.stdout.contains("root"))
        #expect(!list.stdout.contains(ci) && !list.stdout.contains(admin))

        // The limited write token registers in its model only, and cannot deploy or manage tokens.
        #expect(try cli(["versions", "register", "fraud"], token: ci).status == 0)
        let other = try cli(["versions", "register", "churn"], token: ci)
        #expect(other.status != 0 && other.stderr.contains("limited to fraud") && other.stderr.contains("HTTP 403"))
        let tokens = try cli(["tokens", "list"], token: ci)
        #expect(tokens.status != 0 && tokens.stderr.contains("admin"))
        let flag = try runCLI(["versions", "list", "fraud", "--token", ci], server: server)
        #expect(flag.status == 0 && flag.stdout.contains("1.0.0"), "\(flag.stdout)")
        let audit = try cli(["audit", "fraud", "--json"], token: admin)
        #expect(audit.stdout.contains("\"actor\" : \"ci\""), "\(audit.stdout)")

        #expect(try cli(["tokens", "revoke", "ci"], token: admin).status == 0)
        let revoked = try cli(["versions", "list", "fraud"], token: ci)
        #expect(revoked.status != 0 && revoked.stderr.contains("revoked"))
        #expect(!server.stderr.contains(ci) && !server.stderr.contains(admin), "a secret reached the server's log")
    }
}
