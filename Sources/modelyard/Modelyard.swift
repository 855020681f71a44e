import ArgumentParser
import ModelyardAPI

/// The `modelyard` command: the server and every registry operation against it.
@main
struct Modelyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelyard",
        abstract: "A model registry and model server in one binary.",
        discussion: """
            Start a server with `modelyard serve`, then use the other commands against it
            (--url or MODELYARD_URL, default http://127.0.0.1:8080).

            Examples:
              modelyard serve --data-dir ./modelyard-data
              modelyard models create fraud --task classification --primary-metric f1
              modelyard versions register fraud --status draft
              modelyard upload fraud 1.0.0 model.onnx
              modelyard deploy fraud 1.0.0 --env production --reason "beats baseline"
              modelyard predict fraud --row 0.1,3,1.5
              modelyard onnx inspect model.onnx
              modelyard inspect model.joblib
              modelyard drift fraud
            """,
        version: ModelyardVersion.current,
        subcommands: [
            ServeCommand.self, ModelsCommand.self, VersionsCommand.self, UploadCommand.self, DownloadCommand.self,
            ArtifactsCommand.self, LogHistoryCommand.self, HistoryCommand.self, ScoreCommand.self,
            CompareCommand.self, BestCommand.self, MarkBestCommand.self, DeployCommand.self, UndeployCommand.self, RollbackCommand.self,
            DeploymentsCommand.self, LineageCommand.self, TreeCommand.self, ReportCommand.self, ExportCommand.self,
            ImportCommand.self, AuditCommand.self, GCCommand.self, ExperimentsCommand.self, RunsCommand.self,
            PredictCommand.self, EmbedCommand.self, ServingCommand.self, TrafficCommand.self, BenchmarkCommand.self, SuiteCommand.self,
            ONNXCommand.self,
            PolicyCommand.self, ValidateCommand.self, ImportTrainingCommand.self, ImportsCommand.self, TokensCommand.self,
            InspectCommand.self, DriftCommand.self, WebhooksCommand.self,
        ])
}
