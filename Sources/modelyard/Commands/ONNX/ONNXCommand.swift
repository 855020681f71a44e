import ArgumentParser
import Foundation
import ModelRuntime

/// `modelyard onnx`: offline tools for ONNX models (no server needed).
struct ONNXCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onnx",
        abstract: "Inspect and run ONNX models with Modelyard's native runtime.",
        discussion: """
            These commands work on local files and need no server.

            Examples:
              modelyard onnx inspect model.onnx
              modelyard onnx inspect model.onnx --json
              modelyard onnx run model.onnx --input request.json
              modelyard onnx run model.onnx --input request.json --output response.json
            """,
        subcommands: [ONNXInspectCommand.self, ONNXRunCommand.self])
}

/// Shared failure reporting: one line on stderr, then a non-zero exit.
enum ONNXCommandFailure {
    static func exit(_ error: any Error) -> ExitCode {
        let line: String
        if let e = error as? ModelRuntimeError {
            line = "error: \(e.code.rawValue): \(e.message)"
        } else {
            line = "error: \(error.localizedDescription)"
        }
        FileHandle.standardError.write(Data((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
        return ExitCode(1)
    }

    static func read(_ path: String, what: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelRuntimeError(.invalidInput, "cannot read \(what) '\(path)'")
        }
    }
}
