import Foundation
public import RegistryCore
import RegistryWire

/// An experiment in the native API (`GET /api/v1/experiments`). Ids are strings, as in MLflow.
public struct ExperimentResponse: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: String
    public var tags: [String: String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(_ experiment: Experiment) {
        id = String(experiment.id)
        name = experiment.name
        artifactLocation = experiment.artifactLocation
        lifecycleStage = experiment.lifecycleStage.rawValue
        tags = experiment.tags
        createdAt = ISO8601.date(milliseconds: experiment.createdAt)
        updatedAt = ISO8601.date(milliseconds: experiment.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, tags
        case artifactLocation = "artifact_location"
        case lifecycleStage = "lifecycle_stage"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

public struct ExperimentListResponse: Codable, Sendable {
    public var experiments: [ExperimentResponse]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case experiments
        case nextPageToken = "next_page_token"
    }
    package init(experiments: [ExperimentResponse], nextPageToken: String? = nil) {
        self.experiments = experiments
        self.nextPageToken = nextPageToken
    }
}

/// A training run in the native API (`GET /api/v1/runs/{id}`): its state, params, tags, the latest value of
/// each metric, and its datasets and logged models.
public struct RunResponse: Codable, Sendable, Equatable {
    public var id: String
    public var experimentID: String
    public var name: String
    public var userID: String
    public var status: String
    public var lifecycleStage: String
    public var startTime: Date
    public var endTime: Date?
    public var artifactURI: String
    public var params: [String: String]
    public var tags: [String: String]
    public var metrics: [String: Double]
    public var datasets: [DatasetInput]
    public var loggedModels: [RunModelOutput]

    public init(_ run: Run) {
        id = run.info.id
        experimentID = String(run.info.experimentID)
        name = run.info.name
        userID = run.info.userID
        status = run.info.status.rawValue
        lifecycleStage = run.info.lifecycleStage.rawValue
        startTime = ISO8601.date(milliseconds: run.info.startTime)
        endTime = run.info.endTime.map(ISO8601.date(milliseconds:))
        artifactURI = run.info.artifactURI
        params = run.params
        tags = run.tags
        metrics = Dictionary(run.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        datasets = run.inputs
        loggedModels = run.outputs
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, params, tags, metrics, datasets
        case experimentID = "experiment_id"
        case userID = "user_id"
        case lifecycleStage = "lifecycle_stage"
        case startTime = "start_time"
        case endTime = "end_time"
        case artifactURI = "artifact_uri"
        case loggedModels = "logged_models"
    }
}

public struct RunListResponse: Codable, Sendable {
    public var runs: [RunResponse]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case runs
        case nextPageToken = "next_page_token"
    }
    package init(runs: [RunResponse], nextPageToken: String? = nil) {
        self.runs = runs
        self.nextPageToken = nextPageToken
    }
}
