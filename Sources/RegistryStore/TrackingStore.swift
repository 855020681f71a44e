public import RegistryCore

/// Persistence of training runs and what MLflow clients track around them: experiments, runs (params, tags,
/// metric series, inputs, outputs), logged models and the files of the artifact proxy. It shares the registry's
/// database: a version's `run_id` names one of these runs, and its training history is that run's series.
///
/// Times are milliseconds since the epoch. Searches take an offset page (`offset`, `limit`) and return the rows
/// plus whether more exist.
public protocol TrackingStore: Sendable {
    // MARK: Experiments
    func createExperiment(name: String, tags: [String: String]) async throws -> Experiment
    func experiment(id: Int64) async throws -> Experiment
    func experiment(named name: String) async throws -> Experiment
    func searchExperiments(
        filter: SearchFilter, orderBy: [SearchOrder], view: ViewType, offset: Int, limit: Int
    ) async throws -> (items: [Experiment], more: Bool)
    func renameExperiment(id: Int64, to name: String) async throws
    func setExperimentLifecycle(id: Int64, _ stage: LifecycleStage) async throws
    func setExperimentTag(id: Int64, key: String, value: String) async throws

    // MARK: Runs
    func createRun(_ run: NewRun, id: String) async throws -> Run
    func run(id: String) async throws -> Run
    func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo
    func setRunLifecycle(id: String, _ stage: LifecycleStage) async throws
    /// Params are immutable (same value again is fine), tags overwrite, metrics append. Refused on a deleted run.
    func logRunData(id: String, _ batch: RunDataBatch) async throws
    func deleteRunTag(id: String, key: String) async throws
    func logRunInputs(id: String, datasets: [DatasetInput]) async throws
    func logRunOutputs(id: String, models: [RunModelOutput]) async throws
    /// One metric's points ordered by timestamp, step, value; exact duplicates collapse.
    func metricHistory(runID: String, key: String, offset: Int, limit: Int) async throws
        -> (items: [TrackedMetric], more: Bool)
    func searchRuns(
        experimentIDs: [Int64], filter: SearchFilter, orderBy: [SearchOrder], view: ViewType, offset: Int, limit: Int
    ) async throws -> (items: [Run], more: Bool)

    // MARK: Logged models
    func createLoggedModel(_ model: NewLoggedModel, id: String) async throws -> LoggedModel
    func loggedModel(id: String) async throws -> LoggedModel
    func setLoggedModelStatus(id: String, _ status: LoggedModelStatus) async throws -> LoggedModel
    func setLoggedModelTags(id: String, tags: [String: String]) async throws
    func deleteLoggedModelTag(id: String, key: String) async throws
    func logLoggedModelParams(id: String, params: [String: String]) async throws
    func deleteLoggedModel(id: String) async throws
    /// Active logged models of the experiments, optionally with exactly this name, newest first.
    func searchLoggedModels(experimentIDs: [Int64], name: String?, offset: Int, limit: Int) async throws
        -> (items: [LoggedModel], more: Bool)

    // MARK: Tracked files (artifact proxy)
    /// Records (or replaces) a file whose blob is already stored.
    func putTrackedFile(_ file: TrackedFile) async throws
    func trackedFile(path: String) async throws -> TrackedFile?
    /// The immediate children of a directory (`""` for the root), names relative to it, sorted.
    func listTrackedDirectory(_ directory: String) async throws -> [TrackedListing]
    /// Every file under a directory, recursively, with paths relative to it.
    func trackedFiles(under directory: String) async throws -> [TrackedFile]
    /// Removes a file or a directory's files; returns how many were removed.
    func deleteTracked(path: String) async throws -> Int
}
