import ArgumentParser
import Foundation
import ModelRuntime

/// `modelyard onnx run MODEL.onnx --input IN.json [--output OUT.json]`.
struct ONNXRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model on Open Inference Protocol v2 JSON tensors.",
        discussion: """
            The input file holds {"inputs": [{"name", "shape", "datatype", "data"}]} with data flat and
            row-major; datatypes are FP32, FP64, INT64, INT32, BOOL and BYTES (strings). Non-finite numbers
            are written as "NaN", "Infinity" and "-Infinity". Outputs are written in the same shape as
            {"outputs": [...]}, to stdout unless --output is given.

            Examples:
              modelyard onnx run model.onnx --input request.json
              modelyard onnx run model.onnx --input request.json --output response.json
              echo '{"inputs":[{"name":"X","shape":[1,2],"datatype":"FP32","data":[0.5,1.5]}]}' > in.json
            """)

    @Argument(help: "Path to the .onnx file.")
    var model: String

    @Option(name: .shortAndLong, help: "Request JSON with the input tensors.")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the response JSON (default: stdout).")
    var output: String?

    func run() async throws {
        do {
            let session = try ONNXSession(data: try ONNXCommandFailure.read(model, what: "model"))
            let request = try InferenceProtocolJSON.decode(try ONNXCommandFailure.read(input, what: "input"), key: "inputs")
            var inputs: [String: Tensor] = [:]
            for named in request {
                guard inputs[named.name] == nil else {
                    throw ModelRuntimeError(.invalidInput, "input '\(named.name)' is given twice")
                }
                inputs[named.name] = named.tensor
            }
            let results = try session.run(inputs)
            let named = session.signature.outputs.compactMap { spec in
                results[spec.name].map { InferenceProtocolJSON.NamedTensor(name: spec.name, tensor: $0) }
            }
            let data = try InferenceProtocolJSON.encode(named, key: "outputs")
            if let output {
                do {
                    try data.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw ModelRuntimeError(.invalidInput, "cannot write '\(output)'")
                }
            } else {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        } catch {
            throw ONNXCommandFailure.exit(error)
        }
    }
}
