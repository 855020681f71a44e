import ArgumentParser
import Foundation

/// `modelyard-bench`: performance figures, each beside a baseline measured in the same run.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelyard-bench",
        abstract: "Measure Modelyard against same-run baselines and print ratios.",
        discussion: """
            Run in release mode for meaningful numbers:
              swift run -c release modelyard-bench registry
              swift run -c release modelyard-bench registry --versions 20000 --registrations 500
              swift run -c release modelyard-bench onnx
              swift run -c release modelyard-bench dashboard
              swift run -c release modelyard-bench serving-load
              swift run -c release modelyard-bench imports --folders 100
              swift run -c release modelyard-bench evaluation --rows 100000
              swift run -c release modelyard-bench auth
              swift run -c release modelyard-bench sklearn
              swift run -c release modelyard-bench drift
              swift run -c release modelyard-bench embeddings
            """,
        subcommands: [
            RegistryBenchmark.self, ONNXBenchmarkCommand.self, DashboardBenchmark.self, ServingLoadBenchmark.self,
            ImportBenchmark.self, EvaluationBenchmark.self, AuthBenchmark.self, SklearnBenchmark.self, DriftBenchmark.self,
            EmbeddingBenchmark.self,
        ],
        defaultSubcommand: RegistryBenchmark.self)
}
