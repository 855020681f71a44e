import Foundation
import RegistryCore
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
        func parse(_ text: String, _ name: String = "h.csv") throws -> [MetricPoint] {
            try HistoryFile.parse(Data(text.utf8), name: name, timestamp: 7)
        }
        let csv = try parse("epoch,value,metric\n1,0.5,loss\n2,0.25,loss\n")
        #expect(csv.map(\.step) == [1, 2] && csv.map(\.name) == ["loss", "loss"] && csv.last?.value == 0.25)
        let json = try parse(#"[{"metric": "acc", "step": 3, "value": 0.9}]"#, "h.json")
        #expect(json.first?.name == "acc" && json.first?.step == 3 && json.first?.timestamp == 7)
        let wrapped = try parse(#"{"points": [{"name": "acc", "epoch": 4, "value": 1}]}"#, "h.json")
        #expect(wrapped.first?.step == 4)
        // The wide format training services write: one row per epoch, a column per metric; empty cells skipped.
        let wide = try parse("epoch,loss,val_loss,timestamp\n1,0.9,1.1,1000\n2,0.5,,2000\n")
        #expect(wide == [
            MetricPoint(name: "loss", step: 1, value: 0.9, timestamp: 1000), MetricPoint(name: "val_loss", step: 1, value: 1.1, timestamp: 1000),
            MetricPoint(name: "loss", step: 2, value: 0.5, timestamp: 2000),
        ])
        let rows = try parse(#"[{"epoch": 1, "loss": 0.9, "acc": 0.6}, {"epoch": 2, "loss": 0.5}]"#, "h.json")
        #expect(rows.map(\.name) == ["acc", "loss", "loss"] && rows.map(\.step) == [1, 1, 2])
        let keras = try parse(#"{"loss": [0.9, 0.5], "acc": [0.6, 0.8]}"#, "h.json")
        #expect(keras.count == 4 && keras.filter { $0.name == "loss" }.map(\.step) == [1, 2])
        for bad in ["a,b\n1,2\n", "metric,step,value\nloss,x,1\n", "epoch,loss\n1e300,1\n", "epoch,loss\n1,abc\n", "epoch,loss\n1,nan\n"] {
            #expect(throws: RegistryError.self, "\(bad)") { try parse(bad) }
        }
        #expect(throws: RegistryError.self) { try parse(#"{"loss": "high"}"#, "h.json") }
        #expect(throws: RegistryError.self) { try parse(#"[{"epoch": 1e300, "loss": 1}]"#, "h.json") }
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
