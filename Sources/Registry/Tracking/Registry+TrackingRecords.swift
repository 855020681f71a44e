public import RegistryCore

/// What tracking clients (MLflow) read and write about experiments, runs and logged models. These are the
/// interface layer's only way to the tracking records: the store stays internal to the registry, so a rule that
/// applies to every client (the MLflow API, the native API, the CLI) is added here once.
extension Registry {
    // MARK: Experiments

    public func createExperiment(name: String, tags: [String: String]) async throws -> Experiment {
        try await store.createExperiment(name: name, tags: tags)
    }

    public func experiment(id: Int64) async throws -> Experiment {
        try await store.experiment(id: id)
    }

    public func experiment(named name: String) async throws -> Experiment {
        try await store.experiment(named: name)
    }

    public func searchExperiments(
        filter: SearchFilter, orderBy: [SearchOrder], view: ViewType, offset: Int, limit: Int
    ) async throws -> (items: [Experiment], more: Bool) {
        try await store.searchExperiments(filter: filter, orderBy: orderBy, view: view, offset: offset, limit: limit)
    }

    public func renameExperiment(id: Int64, to name: String) async throws {
        try await store.renameExperiment(id: id, to: name)
    }

    public func setExperimentLifecycle(id: Int64, _ stage: LifecycleStage) async throws {
        try await store.setExperimentLifecycle(id: id, stage)
    }

    public func setExperimentTag(id: Int64, key: String, value: String) async throws {
        try await store.setExperimentTag(id: id, key: key, value: value)
    }

    // MARK: Runs

    public func run(id: String) async throws -> Run {
        try await store.run(id: id)
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try await store.updateRun(id: id, update)
    }

    public func setRunLifecycle(id: String, _ stage: LifecycleStage) async throws {
        try await store.setRunLifecycle(id: id, stage)
    }

    /// Params are immutable (the same value again is fine), tags overwrite, metrics append. Refused on a deleted run.
    public func logRunData(id: String, _ batch: RunDataBatch) async throws {
        try await store.logRunData(id: id, batch)
    }

    public func deleteRunTag(id: String, key: String) async throws {
        try await store.deleteRunTag(id: id, key: key)
    }

    public func logRunInputs(id: String, datasets: [DatasetInput]) async throws {
        try await store.logRunInputs(id: id, datasets: datasets)
    }

    public func logRunOutputs(id: String, models: [RunModelOutput]) async throws {
        try await store.logRunOutputs(id: id, models: models)
    }

    /// One metric's points ordered by timestamp, step, value; exact duplicates collapse.
    public func metricHistory(runID: String, key: String, offset: Int, limit: Int) async throws
        -> (items: [TrackedMetric], more: Bool)
    {
        try await store.metricHistory(runID: runID, key: key, offset: offset, limit: limit)
    }

    public func searchRuns(
        experimentIDs: [Int64], filter: SearchFilter, orderBy: [SearchOrder], view: ViewType, offset: Int, limit: Int
    ) async throws -> (items: [Run], more: Bool) {
        try await store.searchRuns(
            experimentIDs: experimentIDs, filter: filter, orderBy: orderBy, view: view, offset: offset, limit: limit)
    }

    // MARK: Logged models

    public func loggedModel(id: String) async throws -> LoggedModel {
        try await store.loggedModel(id: id)
    }

    public func setLoggedModelStatus(id: String, _ status: LoggedModelStatus) async throws -> LoggedModel {
        try await store.setLoggedModelStatus(id: id, status)
    }

    public func setLoggedModelTags(id: String, tags: [String: String]) async throws {
        try await store.setLoggedModelTags(id: id, tags: tags)
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await store.deleteLoggedModelTag(id: id, key: key)
    }

    public func logLoggedModelParams(id: String, params: [String: String]) async throws {
        try await store.logLoggedModelParams(id: id, params: params)
    }

    public func deleteLoggedModel(id: String) async throws {
        try await store.deleteLoggedModel(id: id)
    }

    /// Active logged models of the experiments, optionally with exactly this name, newest first.
    public func searchLoggedModels(experimentIDs: [Int64], name: String?, offset: Int, limit: Int) async throws
        -> (items: [LoggedModel], more: Bool)
    {
        try await store.searchLoggedModels(experimentIDs: experimentIDs, name: name, offset: offset, limit: limit)
    }
}
