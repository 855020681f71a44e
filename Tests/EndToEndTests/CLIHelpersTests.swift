import Foundation
import Testing

@testable import modelyard

@Suite struct CLIHelpersTests {
    @Test func settingsFollowFlagsThenEnvironmentThenConfigThenDefaults() throws {
        let defaults = try ServeSettings.resolve(flags: .init(), environment: [:], configPath: nil)
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080 && defaults.dataDirectory.lastPathComponent == "modelyard-data")
        #expect(defaults.maxLoadedBytes == 4 << 30 && defaults.maxModelBytes == 1 << 30)

        let directory = try temporaryDirectory("settings")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("c.json")
        try #"{"host": "0.0.0.0", "port": 9000, "data_dir": "/from-config", "log_level": "debug"}"#
            .write(to: config, atomically: true, encoding: .utf8)
        let fromConfig = try ServeSettings.resolve(flags: .init(), environment: [:], configPath: config.path)
        #expect(fromConfig.port == 9000 && fromConfig.host == "0.0.0.0" && fromConfig.logLevel == .debug)
        let fromEnv = try ServeSettings.resolve(
            flags: .init(), environment: ["MODELYARD_PORT": "9100", "MODELYARD_HOME": "/from-env", "MODELYARD_CONFIG": config.path],
            configPath: nil)
        #expect(fromEnv.port == 9100 && fromEnv.dataDirectory.path == "/from-env" && fromEnv.host == "0.0.0.0")
        let memory = try ServeSettings.resolve(
            flags: .init(), environment: ["MODELYARD_MAX_LOADED_BYTES": "1000", "MODELYARD_MAX_MODEL_BYTES": "500"], configPath: nil)
        #expect(memory.maxLoadedBytes == 1000 && memory.maxModelBytes == 500)
        #expect(defaults.inferenceRetentionDays == 30)
        #expect(
            try ServeSettings.resolve(
                flags: .init(), environment: ["MODELYARD_INFERENCE_RETENTION_DAYS": "7"], configPath: nil
            ).inferenceRetentionDays == 7)
        #expect(throws: (any Error).self) {
            try ServeSettings.resolve(flags: .init(), environment: ["MODELYARD_INFERENCE_RETENTION_DAYS": "0"], configPath: nil)
        }
        #expect(throws: (any Error).self) {
            try ServeSettings.resolve(flags: .init(), environment: ["MODELYARD_MAX_LOADED_BYTES": "0"], configPath: nil)
        }
        var flags = ServeSettings.Values()
        flags.port = 9200
        flags.dataDir = "/from-flag"
        let fromFlags = try ServeSettings.resolve(flags: flags, environment: ["MODELYARD_PORT": "9100"], configPath: config.path)
        #expect(fromFlags.port == 9200 && fromFlags.dataDirectory.path == "/from-flag")
        #expect(throws: (any Error).self) {
            try ServeSettings.resolve(flags: .init(), environment: ["MODELYARD_LOG_LEVEL": "loud"], configPath: nil)
        }
    }

    @Test func aPredictRowMayStartWithAMinusSign() throws {
        let command = try PredictCommand.parse(["fraud", "--row", "-1.5,2", "--row", "-3,-4"])
        #expect(command.rows == ["-1.5,2", "-3,-4"])
        let body = try JSONSerialization.jsonObject(with: try command.requestBody()) as? [String: [[Double]]]
        #expect(body?["inputs"] == [[-1.5, 2], [-3, -4]])
    }

    @Test func historyFilesParseCSVAndJSON() throws {
        let csv = try HistoryFile.parse(Data("epoch,value,metric\n1,0.5,loss\n2,0.25,loss\n".utf8), name: "h.csv")
        #expect(csv.map(\.step) == [1, 2] && csv.map(\.metric) == ["loss", "loss"] && csv.last?.value == 0.25)
        let json = try HistoryFile.parse(Data(#"[{"metric": "acc", "step": 3, "value": 0.9}]"#.utf8), name: "h.json")
        #expect(json.first?.metric == "acc" && json.first?.step == 3)
        let wrapped = try HistoryFile.parse(Data(#"{"points": [{"name": "acc", "epoch": 4, "value": 1}]}"#.utf8), name: "h.json")
        #expect(wrapped.first?.step == 4)
        #expect(throws: (any Error).self) { try HistoryFile.parse(Data("a,b\n1,2\n".utf8), name: "bad.csv") }
        #expect(throws: (any Error).self) { try HistoryFile.parse(Data("metric,step,value\nloss,x,1\n".utf8), name: "bad.csv") }
    }

    @Test func progressBarRendersFractionSizesAndRate() {
        let line = ProgressBar.render(label: "model.onnx", done: 5_000_000, total: 10_000_000, elapsed: 2, width: 10)
        #expect(line == "model.onnx [#####-----]  50%  5.0/10.0 MB  2.5 MB/s")
        #expect(ProgressBar.render(label: "x", done: 0, total: 0, elapsed: 0, width: 4) == "x [----]   0%  0.0/0.0 MB  0.0 MB/s")
    }

    @Test func pathsAreEncodedPerSegment() {
        #expect(APIPath.model("my model") == "/api/v1/models/my%20model")
        #expect(APIPath.artifact("m", "@production", "dir/a b.bin") == "/api/v1/models/m/versions/@production/artifacts/dir/a%20b.bin")
        #expect(APIPath.query([("versions", "1.0.0,1.1.0"), ("x", nil)]) == "?versions=1.0.0,1.1.0")
    }
}
