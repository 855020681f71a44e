import ArgumentParser
import Foundation
import ModelyardAPI

/// `modelyard embed MODEL TEXT...`
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with a deployed text-embedding model (its production environment unless --env or --version).",
        discussion: """
            Texts come from the arguments, or from --input (one text per line; '-' for standard input). Each
            vector is printed with its token count and norm; --json prints the full response, vectors included.
            --prompt names one of the model's prompts (such as query or passage), which is prefixed to each text.
            Texts longer than the model's maximum are cut unless --no-truncate, which refuses them instead.

            Examples:
              modelyard embed minilm "A man is eating food."
              modelyard embed e5 "how tall is the eiffel tower" --prompt query --json
              modelyard embed minilm --version 1.1.0 --input sentences.txt
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Texts to embed.") var texts: [String] = []
    @Option(name: [.customLong("env"), .customLong("environment")], help: "Environment whose version answers.")
    var environment: String?
    @Option(help: "A specific version (semantic version, registration number or @alias) instead of an environment.")
    var version: String?
    @Option(help: "A file with one text per line ('-' for standard input).") var input: String?
    @Option(help: "A named prompt of the model (query, passage, ...).") var prompt: String?
    @Flag(name: .customLong("no-truncate"), help: "Refuse texts longer than the model's maximum instead of cutting them.")
    var noTruncate = false

    func validate() throws {
        if environment != nil && version != nil { throw ValidationError("give --env or --version, not both") }
        if input != nil && !texts.isEmpty { throw ValidationError("give texts or --input, not both") }
        if input == nil && texts.isEmpty { throw ValidationError("give at least one text (or --input FILE)") }
    }

    func run() async throws {
        var inputs = texts
        if let input {
            let raw: Data
            if input == "-" {
                raw = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let data = FileManager.default.contents(atPath: input) else { throw CLIError("cannot read '\(input)'") }
                raw = data
            }
            inputs = String(decoding: raw, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
            if inputs.last == "" { inputs.removeLast() }
            if inputs.isEmpty { throw CLIError("'\(input)' holds no lines to embed") }
        }
        let request = EmbedRequest(
            inputs: inputs, environment: environment, version: version, promptName: prompt, truncate: noTruncate ? false : nil)
        let data = try await options.client.send(.POST, APIPath.model(model) + "/embed", json: request)
        if options.json { return Output.printJSON(data) }
        let response = try APIJSON.decoder.decode(EmbedResponse.self, from: data)
        Output.print(Self.render(response, texts: inputs))
    }

    static func render(_ response: EmbedResponse, texts: [String]) -> String {
        var lines = ["\(response.model) \(response.version): \(response.embeddings.count) vector(s) of \(response.dimension) dimensions"]
        for (i, vector) in response.embeddings.enumerated() {
            let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            let head = vector.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", ")
            let text = texts.indices.contains(i) ? texts[i] : ""
            let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
            let cut = response.truncated.indices.contains(i) && response.truncated[i] ? " (truncated)" : ""
            lines.append(
                "\(i)  \(response.tokenCounts[i]) tokens\(cut)  norm \(String(format: "%.4f", norm))  [\(head), ...]  \(shown)")
        }
        return lines.joined(separator: "\n")
    }
}
