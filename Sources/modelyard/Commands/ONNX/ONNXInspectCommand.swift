import ArgumentParser
import Foundation
import ModelRuntime

/// `modelyard onnx inspect MODEL.onnx`.
struct ONNXInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model's signature, opsets, producer and operators, and whether it can be served.",
        discussion: """
            Exits with status 1 when the model uses an operator, attribute, type or version the runtime does
            not support (the reason is printed), so scripts can gate registration on it.

            Examples:
              modelyard onnx inspect model.onnx
              modelyard onnx inspect model.onnx --json | jq .operators
            """)

    @Argument(help: "Path to the .onnx file.")
    var model: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let report: ONNXModelReport
        do {
            report = try ONNXModelInspector.inspect(data: try ONNXCommandFailure.read(model, what: "model"))
        } catch {
            throw ONNXCommandFailure.exit(error)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = (try? encoder.encode(report)) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(ONNXReportText.render(report, file: URL(fileURLWithPath: model).lastPathComponent))
        }
        if !report.supported {
            if json, let code = report.errorCode {
                FileHandle.standardError.write(Data("error: \(code): \(report.errorMessage ?? "")\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}

/// Plain-text rendering of an inspection report.
enum ONNXReportText {
    static func render(_ report: ONNXModelReport, file: String) -> String {
        let m = report.metadata
        var lines: [String] = []
        lines.append("model:     \(file)")
        let producer = [m.producerName, m.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        lines.append("producer:  \(producer.isEmpty ? "(none)" : producer)")
        let opsets = m.opsets.keys.sorted().map { "\($0.isEmpty ? "ai.onnx" : $0) \(m.opsets[$0] ?? 0)" }
        lines.append("ir:        \(m.irVersion)   opsets: \(opsets.joined(separator: ", "))")
        lines.append("inputs:")
        for v in report.signature.inputs { lines.append("  \(describe(v))") }
        lines.append("outputs:")
        for v in report.signature.outputs { lines.append("  \(describe(v))") }
        if let labels = report.signature.classLabels {
            switch labels {
            case .int64s(let v): lines.append("classes:   \(v.map(String.init).joined(separator: ", "))")
            case .strings(let v): lines.append("classes:   \(v.joined(separator: ", "))")
            }
        }
        lines.append("operators: \(m.nodeCount) nodes")
        let width = report.operators.map(\.name.count).max() ?? 0
        for op in report.operators {
            let pad = String(repeating: " ", count: width - op.name.count)
            lines.append("  \(op.name)\(pad)  \(String(format: "%5d", op.count))  \(op.supported ? "supported" : "NOT SUPPORTED")")
        }
        if report.supported {
            lines.append("status:    supported")
        } else {
            lines.append("status:    not supported: \(report.errorCode ?? ""): \(report.errorMessage ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ v: ModelSignature.Value) -> String {
        let shape = v.shape.map { "[" + $0.map(\.description).joined(separator: ", ") + "]" } ?? "(shape not declared)"
        let kind = v.kind == .sequenceOfMaps ? "  (ZipMap: returned as dense [N, classes])" : ""
        return "\(v.name)  \(v.elementType.rawValue) \(shape)\(kind)"
    }
}
