import ArgumentParser
import Foundation
import ModelRuntime
import ScikitLearn
import TextEmbedding

/// `modelyard inspect FILE`: what the server would make of a model file, offline.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a model file (ONNX, scikit-learn joblib) or embedding folder holds and whether it can be served.",
        discussion: """
            A joblib file is read as data: nothing in it runs. Its steps, inputs, outputs, classes and feature names
            are shown; a file naming a class outside the allow-list is refused, naming it. Exits with status 1 when
            the file cannot be served (the reason is printed on stderr), so scripts can gate registration on it.
            A directory is read as a text-embedding model (a sentence-transformers folder, or a BERT folder with
            its tokenizer): its dimension, pooling, normalisation, maximum tokens, prompts and encoder are shown.

            Examples:
              modelyard inspect ./all-MiniLM-L6-v2/
              modelyard inspect model.joblib
              modelyard inspect model.joblib --preprocessing scaler.joblib
              modelyard inspect model.onnx --json
            """)

    @Argument(help: "Path to the model file (.onnx, or .joblib / .pkl for scikit-learn), or an embedding model's folder.")
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
        if UploadCommand.isDirectory(model) { return try inspectFolder() }
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

    struct EmbeddingReport: Encodable {
        var folder: String
        var weights: String?
        var producer: String?
        var dimension: Int?
        var pooling: String?
        var normalized: Bool?
        var maxSequenceLength: Int?
        var prompts: [String: String]?
        var tokenizer: String?
        var signature: ModelSignature?
        var supported: Bool
        var errorCode: String?
        var errorMessage: String?
    }

    /// A directory as the server would serve it: an embedding model, or the reason it is none.
    func inspectFolder() throws {
        let root = URL(fileURLWithPath: model).standardizedFileURL
        var paths: [String] = []
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            while let relative = walker.nextObject() as? String {
                if (relative as NSString).lastPathComponent.hasPrefix(".") { continue }
                if !UploadCommand.isDirectory(root.path + "/" + relative) { paths.append(relative) }
            }
        }
        var report = EmbeddingReport(folder: root.lastPathComponent, supported: false)
        if let folder = EmbeddingFolder.locate(paths) {
            report.weights = folder.weights
            do {
                var files: [String: Data] = [:]
                for path in folder.files { files[path] = try ONNXCommandFailure.read(root.path + "/" + path, what: path) }
                let session = try EmbeddingSession.load(folder, files: files)
                report.producer = session.metadata.producerName
                report.dimension = session.dimension
                report.pooling = session.pooling.rawValue
                report.normalized = session.normalize
                report.maxSequenceLength = session.maxSequenceLength
                report.prompts = session.prompts
                report.tokenizer = session.tokenizerFingerprint
                report.signature = session.signature
                report.supported = true
            } catch let error as ModelRuntimeError {
                report.errorCode = error.code.rawValue
                report.errorMessage = error.message
            }
        } else {
            report.errorCode = "no_model"
            report.errorMessage = "the folder holds no embedding model: it needs a tokenizer (tokenizer.json or vocab.txt), "
                + "config.json or modules.json, and model.onnx or model.safetensors"
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
        } else {
            var lines = ["folder:    \(report.folder)"]
            if let weights = report.weights { lines.append("weights:   \(weights)") }
            if report.supported {
                lines.append("kind:      text embedding, \(report.dimension ?? 0) dimensions (\(report.producer ?? ""))")
                lines.append("pooling:   \(report.pooling ?? "")\(report.normalized == true ? ", L2-normalised" : "")")
                lines.append("tokens:    at most \(report.maxSequenceLength ?? 0) per input")
                let prompts = (report.prompts ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) = \"\($0.value)\"" }
                lines.append("prompts:   \(prompts.isEmpty ? "none" : prompts.joined(separator: ", "))")
                lines.append("tokenizer: \(report.tokenizer ?? "")")
                lines.append("status:    supported")
            } else {
                lines.append("status:    not supported: \(report.errorCode ?? ""): \(report.errorMessage ?? "")")
            }
            print(lines.joined(separator: "\n"))
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
