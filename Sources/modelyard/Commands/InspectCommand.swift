import ArgumentParser
import Foundation
import ModelRuntime
import ScikitLearn

/// `modelyard inspect FILE`: what the server would make of a model file, offline.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a model file holds (ONNX or scikit-learn joblib) and whether it can be served.",
        discussion: """
            A joblib file is read as data: nothing in it runs. Its steps, inputs, outputs, classes and feature names
            are shown; a file naming a class outside the allow-list is refused, naming it. Exits with status 1 when
            the file cannot be served (the reason is printed on stderr), so scripts can gate registration on it.

            Examples:
              modelyard inspect model.joblib
              modelyard inspect model.joblib --preprocessing scaler.joblib
              modelyard inspect model.onnx --json
            """)

    @Argument(help: "Path to the model file (.onnx, or .joblib / .pkl for scikit-learn).")
    var model: String

    @Option(help: "A scaler.joblib applied before a joblib model, as a training folder carries it.")
    var preprocessing: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    struct Report: Encodable {
        var file: String
        var format: String
        var producer: String
        var steps: [String]
        var signature: ModelSignature?
        var featureNames: [String]?
        var supported: Bool
        var errorCode: String?
        var errorMessage: String?
    }

    func run() async throws {
        let lower = model.lowercased()
        guard lower.hasSuffix(".joblib") || lower.hasSuffix(".pkl") || lower.hasSuffix(".pickle") else {
            var onnx = ONNXInspectCommand()
            onnx.model = model
            onnx.json = json
            return try await onnx.run()
        }
        let file = URL(fileURLWithPath: model).lastPathComponent
        var report = Report(file: file, format: "joblib", producer: "scikit-learn", steps: [], supported: false)
        do {
            let bytes = [UInt8](try ONNXCommandFailure.read(model, what: "model"))
            let scaler = try preprocessing.map { [UInt8](try ONNXCommandFailure.read($0, what: "preprocessing file")) }
            let session = try SklearnSession(bytes: bytes, preprocessing: scaler)
            report.producer = "scikit-learn " + session.metadata.producerVersion
            report.steps = session.steps
            report.signature = session.signature
            report.featureNames = session.featureNames
            report.supported = true
        } catch let error as ModelRuntimeError {
            report.errorCode = error.code.rawValue
            report.errorMessage = error.message
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
        } else {
            print(Self.render(report))
        }
        if !report.supported {
            FileHandle.standardError.write(Data("error: \(report.errorCode ?? ""): \(report.errorMessage ?? "")\n".utf8))
            throw ExitCode(1)
        }
    }

    static func render(_ report: Report) -> String {
        var lines = ["model:     \(report.file)", "producer:  \(report.producer)"]
        if !report.steps.isEmpty {
            lines.append("steps:")
            lines += report.steps.map { "  \($0)" }
        }
        if let signature = report.signature {
            lines.append("inputs:")
            lines += signature.inputs.map { "  " + ONNXReportText.describe($0) }
            lines.append("outputs:")
            lines += signature.outputs.map { "  " + ONNXReportText.describe($0) }
            switch signature.classLabels {
            case .int64s(let v)?: lines.append("classes:   \(v.map(String.init).joined(separator: ", "))")
            case .strings(let v)?: lines.append("classes:   \(v.joined(separator: ", "))")
            case nil: break
            }
        }
        if let names = report.featureNames { lines.append("features:  \(names.joined(separator: ", "))") }
        lines.append(
            report.supported
                ? "status:    supported (read as data; nothing in the file ran)"
                : "status:    not supported: \(report.errorCode ?? ""): \(report.errorMessage ?? "")")
        return lines.joined(separator: "\n")
    }
}
