public import Foundation
public import DriftStatistics
public import RegistryCore

/// Persistence of the registry's metadata. Every mutating method is one transaction that applies the rules of
/// `RegistryCore` to the current state and records an audit entry, so a crash never leaves half a change.
///
/// Implementations: `SQLiteRegistryStore` (the embedded default). Every implementation must pass the
/// conformance suite in `RegistryStoreTests`.
public protocol RegistryStore: TrackingStore, ServingStore, TokenStore, WebhookStore {
    // MARK: Models
    func createModel(_ model: NewModel, audit: AuditContext) async throws -> RegisteredModel
    func model(named name: ModelName) async throws -> RegisteredModel
    func listModels(filter: ModelFilter, page: PageRequest) async throws -> Page<RegisteredModel>
    func updateModel(_ name: ModelName, patch: ModelPatch, audit: AuditContext) async throws -> RegisteredModel
    /// Refused while any alias of the model points at a version.
    func deleteModel(_ name: ModelName, audit: AuditContext) async throws
    /// Pins `version` as the model's best, or clears the pin when `nil`.
    func pinBest(_ name: ModelName, version: SemanticVersion?, audit: AuditContext) async throws -> RegisteredModel

    // MARK: Versions
    /// Assigns the next version number and stores the version in one transaction; concurrent calls never collide.
    func registerVersion(_ model: ModelName, _ version: NewVersion, audit: AuditContext) async throws -> ModelVersion
    /// Versions, highest first.
    func listVersions(_ model: ModelName, filter: VersionFilter, page: PageRequest) async throws -> Page<ModelVersion>
    func updateVersion(_ model: ModelName, _ version: SemanticVersion, patch: VersionPatch, audit: AuditContext)
        async throws -> ModelVersion
    /// Refused while deployed or while another version names it as a parent.
    func deleteVersion(_ model: ModelName, _ version: SemanticVersion, audit: AuditContext) async throws
    /// Versions (of any model) that name `key` as a parent.
    func children(of key: VersionKey) async throws -> [VersionKey]
    /// The non-archived version with the best value of `metric` (newer wins ties), if any has it.
    func topScoring(_ model: ModelName, metric: String, direction: MetricDirection) async throws -> BestCandidate?

    // MARK: Scores
    func setScores(
        _ model: ModelName, _ version: SemanticVersion, scores: [String: Double], mode: ScoreUpdateMode,
        audit: AuditContext
    ) async throws -> ModelVersion
    func scoreChanges(_ model: ModelName, _ version: SemanticVersion) async throws -> [ScoreChange]

    // MARK: Artifacts
    /// Adds (or replaces) a manifest entry; refused once the version is sealed. The blob must already be stored.
    func addArtifact(_ model: ModelName, _ version: SemanticVersion, entry: ArtifactEntry, audit: AuditContext)
        async throws
    func artifact(_ model: ModelName, _ version: SemanticVersion, path: ArtifactPath) async throws -> ArtifactEntry
    /// Every digest some manifest or tracked file references (for garbage collection of blobs).
    func referencedDigests() async throws -> Set<BlobDigest>

    // MARK: Training history
    /// Appends points to the version's run (created on first use); returns how many were stored.
    func appendHistory(_ model: ModelName, _ version: SemanticVersion, points: [MetricPoint]) async throws -> Int
    /// The version's series, ordered by metric name then step; one metric when `metric` is given.
    func history(_ model: ModelName, _ version: SemanticVersion, metric: String?) async throws -> [MetricPoint]
    /// For each model, in one read: its newest version, its aliases and its best candidate (the pinned version, or
    /// the top scorer by its primary metric). What a page listing many models needs without a read per fact.
    func overviews(_ models: [RegisteredModel]) async throws -> [ModelOverview]
    /// Each version's metrics as columns, read together: one series per name in name order, points in
    /// (step, timestamp, value) order.
    func historySeries(_ model: ModelName, _ versions: [SemanticVersion]) async throws -> [[MetricSeries]]

    // MARK: Deployments
    func deploy(_ model: ModelName, version: SemanticVersion, environment: EnvironmentName, audit: AuditContext)
        async throws -> Deployment
    func rollback(_ model: ModelName, environment: EnvironmentName, to version: SemanticVersion?, audit: AuditContext)
        async throws -> Deployment
    /// Sets (or, with an empty policy, clears) how an environment's traffic is shared; audited.
    func setTraffic(_ model: ModelName, environment: EnvironmentName, policy: TrafficPolicy, audit: AuditContext)
        async throws
    /// Sets a model's automatic-rollback limits (`nil` restores the defaults); audited.
    func setServingLimits(_ model: ModelName, limits: ServingLimits?, audit: AuditContext) async throws
    /// Limits of every model that set them.
    func allServingLimits() async throws -> [ModelName: ServingLimits]
    /// A model's validation policy with its revision; `nil` when none was ever set (the default applies).
    func validationPolicy(_ model: ModelName) async throws -> PolicyRevision?
    /// Stores the next revision of a model's validation policy; audited (`policy.set`).
    func setValidationPolicy(_ model: ModelName, _ policy: ValidationPolicy, audit: AuditContext) async throws
        -> PolicyRevision
    /// Records a verdict reached on a version.
    func addValidationReport(_ report: ValidationReport) async throws
    /// A version's newest verdict, if it was ever validated.
    func validationReport(_ model: ModelName, _ version: SemanticVersion) async throws -> ValidationReport?
    /// Records an import attempt; returns it with its id.
    func addImportRecord(_ record: ImportRecord) async throws -> ImportRecord
    /// Import attempts, newest first.
    func importRecords(_ filter: ImportFilter, page: PageRequest) async throws -> Page<ImportRecord>
    func importRecord(id: Int64) async throws -> ImportRecord
    /// Stores a benchmark the server ran on a version.
    func addBenchmark(_ report: BenchmarkReport) async throws
    /// A version's benchmarks, newest first.
    func benchmarks(_ model: ModelName, _ version: SemanticVersion, limit: Int) async throws -> [BenchmarkReport]
    /// Every benchmark of a model's versions (only those that ran `suite`, when given), by version then run time.
    func modelBenchmarks(_ model: ModelName, suite: SuiteName?) async throws -> [BenchmarkReport]
    /// Registers a suite (its file is already a blob); `already_exists` when the name is taken.
    func addSuite(_ suite: BenchmarkSuite) async throws
    /// Every registered suite, by name.
    func suites() async throws -> [BenchmarkSuite]
    func suite(_ name: SuiteName) async throws -> BenchmarkSuite
    /// Removes a suite's registration; results that ran it stay with their versions, and the file becomes garbage.
    func deleteSuite(_ name: SuiteName) async throws
    /// A version's inference summaries since `since`, oldest first.
    func inferenceSummaries(_ model: ModelName, _ version: SemanticVersion, since: Date) async throws -> [InferenceSummary]
    /// Deployment records, newest first; one environment when given.
    func deployments(_ model: ModelName, environment: EnvironmentName?, page: PageRequest) async throws
        -> Page<Deployment>

    // MARK: MLflow-style registry operations
    func renameModel(_ name: ModelName, to newName: ModelName, audit: AuditContext) async throws -> RegisteredModel
    /// Sets one tag, or deletes it when `value` is nil.
    func setModelTag(_ name: ModelName, key: String, value: String?, audit: AuditContext) async throws
    func setVersionTag(_ model: ModelName, _ version: SemanticVersion, key: String, value: String?, audit: AuditContext)
        async throws
    /// Moves the version to `stage`; with `archiveExisting`, other versions in Staging/Production move to Archived.
    func transitionStage(
        _ model: ModelName, _ version: SemanticVersion, to stage: VersionStage, archiveExisting: Bool,
        audit: AuditContext
    ) async throws -> ModelVersion
    /// Removes an alias, recorded as an `undeploy`; `nil` when the alias was not set.
    func undeploy(_ model: ModelName, environment: EnvironmentName, audit: AuditContext) async throws -> Deployment?
    /// The newest version per stage (all stages present when `stages` is nil).
    func latestVersions(_ model: ModelName, stages: [VersionStage]?) async throws -> [ModelVersion]
    func searchModels(filter: SearchFilter, orderBy: [SearchOrder], offset: Int, limit: Int) async throws
        -> (items: [RegisteredModel], more: Bool)
    func searchVersions(filter: SearchFilter, orderBy: [SearchOrder], offset: Int, limit: Int) async throws
        -> (items: [ModelVersion], more: Bool)

    // MARK: Audit
    /// Audit entries of a model, newest first.
    func auditEntries(_ model: ModelName, page: PageRequest) async throws -> Page<AuditEntry>
    /// The id of the newest audit entry (of `model`, or of any model): a cheap change cursor, since every state
    /// change is audited. 0 when there is none.
    func latestAuditID(model: ModelName?) async throws -> Int64

    // MARK: Backup
    /// Everything, for a lossless export.
    func exportSnapshot() async throws -> RegistrySnapshot
    /// Restores a snapshot into this store in one transaction; refused if any of its models exists already.
    func importSnapshot(_ snapshot: RegistrySnapshot, audit: AuditContext) async throws
}

/// What a listing shows about one model, read together with other models' (`RegistryStore.overviews`).
public struct ModelOverview: Sendable, Equatable {
    public var latest: ModelVersion?
    public var aliases: [AliasPointer]
    public var bestCandidate: BestCandidate?

    public init(latest: ModelVersion?, aliases: [AliasPointer], bestCandidate: BestCandidate?) {
        self.latest = latest
        self.aliases = aliases
        self.bestCandidate = bestCandidate
    }
}

extension RegistryStore {
    /// One version's metrics as columns.
    public func historySeries(_ model: ModelName, _ version: SemanticVersion) async throws -> [MetricSeries] {
        try await historySeries(model, [version])[0]
    }
}

/// What the model server writes about its own traffic: the narrow part of the store `Serving` may write to.
public protocol InferenceSummaryStore: Sendable {
    /// Appends per-period inference summaries (versions that no longer exist are skipped).
    func addInferenceSummaries(_ summaries: [InferenceSummary]) async throws
    /// Deletes summaries of periods that started before `cutoff` (the retention setting); answers how many.
    @discardableResult
    func pruneInferenceSummaries(before cutoff: Date) async throws -> Int
}

/// What the model server reads (versions, manifests, aliases, traffic) and writes (what it makes of a model file,
/// its inference summaries): the narrow part of the store `Serving` depends on.
/// Webhooks, their deliveries, and the cursors over the records events come from.
public protocol WebhookStore: Sendable {
    /// Creates a hook, audited as `webhook.create`.
    func createWebhook(_ model: ModelName, url: String, events: [WebhookEvent], secret: String, audit: AuditContext) async throws -> Webhook
    func webhooks(_ model: ModelName) async throws -> [Webhook]
    /// Every hook of every model (for matching events), with its secret.
    func allWebhooks() async throws -> [(webhook: Webhook, secret: String)]
    /// Deletes a hook and its deliveries, audited as `webhook.delete`.
    func deleteWebhook(_ model: ModelName, id: Int64, audit: AuditContext) async throws
    /// Audit entries of every model with an id above `id`, oldest first.
    func auditEntries(after id: Int64, limit: Int) async throws -> [AuditEntry]
    /// Validation verdicts stored after `id`, oldest first, with their row ids.
    func validationReports(after id: Int64, limit: Int) async throws -> [(id: Int64, report: ValidationReport)]
    /// The highest validation report id (0 without any).
    func latestValidationReportID() async throws -> Int64
    /// Where event source `source` was read up to; nil before the first read.
    func webhookCursor(_ source: String) async throws -> Int64?
    /// Moves `source`'s cursor from `from` to `to` and queues the deliveries, in one transaction; false (and
    /// nothing queued) when the cursor was no longer at `from` (another server read those events).
    func advanceWebhookCursor(_ source: String, from: Int64?, to: Int64, deliveries: [NewWebhookDelivery], at now: Date) async throws -> Bool
    /// Pending deliveries due by `now`, leased to the caller until `now + lease` so no other server sends them.
    func claimWebhookDeliveries(now: Date, lease: TimeInterval, limit: Int) async throws -> [(delivery: WebhookDelivery, url: String, secret: String)]
    /// Records an attempt: delivered, retried at `nextAttemptAt`, or (nil, not delivered) given up.
    func recordWebhookAttempt(_ id: Int64, attempt: WebhookDelivery.Attempt, delivered: Bool, nextAttemptAt: Date?) async throws
    /// A hook's deliveries, newest first.
    func webhookDeliveries(_ model: ModelName, webhookID: Int64, limit: Int) async throws -> [WebhookDelivery]
}

/// Drift references, settings and summaries.
public protocol DriftStore: Sendable {
    /// The version's stored reference profile; nil when none was set.
    func driftReference(_ model: ModelName, _ version: SemanticVersion) async throws -> DriftReferenceRecord?
    /// Stores (or replaces) a version's reference, audited as `drift.reference.set`.
    func setDriftReference(_ record: DriftReferenceRecord, audit: AuditContext) async throws
    func driftSettings(_ model: ModelName) async throws -> DriftSettings?
    /// Sets or (nil) clears the model's drift settings, audited as `drift.settings.set`.
    func setDriftSettings(_ model: ModelName, _ settings: DriftSettings?, audit: AuditContext) async throws
    /// Summaries of versions deleted meanwhile are dropped.
    func addDriftSummaries(_ summaries: [DriftSummary]) async throws
    func driftSummaries(_ model: ModelName, _ version: SemanticVersion, since: Date) async throws -> [DriftSummary]
    @discardableResult
    func pruneDriftSummaries(before cutoff: Date) async throws -> Int
    /// A version started (or stopped) drifting: an audit entry `drift.started` / `drift.stopped` by the server.
    func recordDriftChange(_ model: ModelName, _ version: SemanticVersion, drifting: Bool, details: [String: String]) async throws
}

public protocol ServingStore: InferenceSummaryStore, DriftStore {
    func version(_ model: ModelName, _ selector: VersionSelector) async throws -> ModelVersion
    func artifacts(_ model: ModelName, _ version: SemanticVersion) async throws -> [ArtifactEntry]
    func aliases(_ model: ModelName) async throws -> [AliasPointer]
    /// Every alias of every model: what the model server should be serving. Read often (each replica polls it), so
    /// it is one cheap query.
    func allAliases() async throws -> [ModelName: [AliasPointer]]
    /// The traffic policies of a model's environments (environments without one are absent).
    func traffic(_ model: ModelName) async throws -> [EnvironmentName: TrafficPolicy]
    /// Every model's traffic policies, for the serving poll.
    func allTraffic() async throws -> [ModelName: [EnvironmentName: TrafficPolicy]]
    /// Records what the model server learnt from the version's model file (allowed on sealed versions); a change of
    /// whether it can be served, or why not, is audited as `version.serving`.
    func setServing(_ model: ModelName, _ version: SemanticVersion, info: ServingInfo, audit: AuditContext)
        async throws
}

/// API tokens: what authentication reads on every request (by the secret's hash) and what `admin` manages.
public protocol TokenStore: Sendable {
    /// Stores a new token; `already_exists` when the name is taken (by a live or a revoked token).
    func createToken(_ token: AccessToken) async throws
    /// Every token, revoked and expired ones included, oldest first.
    func tokens() async throws -> [AccessToken]
    /// The token whose secret hashes to `secretHash`, in whatever state it is.
    func token(secretHash: String) async throws -> AccessToken?
    /// Marks the token revoked (kept, so its name stays unique and its history readable); `not_found` for an
    /// unknown name, `failed_precondition` when it is revoked already.
    func revokeToken(named name: String, at date: Date, by actor: String) async throws -> AccessToken
    /// Records when tokens were last used (hash → time); later times only.
    func recordTokenUse(_ uses: [String: Date]) async throws
}
