import DriftStatistics
import Dashboard
import Foundation
import Hummingbird
import NIOCore
import Registry
import RegistryCore
import Serving

/// The web dashboard at `/`: pages rendered on the server from the same registry calls the API makes.
struct DashboardRoutes {
    let registry: Registry
    let pool: ModelPool
    /// Whether the server asks for tokens (the login page says so when it does not).
    let authentication: Bool

    func register(on router: Router<ModelyardRequestContext>) {
        let pages = router.group().add(middleware: DashboardErrorMiddleware(registry: registry))
        pages.get("/") { request, context in try await modelsPage(request, context) }
        pages.get("models/{model}") { request, context in try await versionsPage(request, context, context.modelName()) }
        pages.get("models/{model}/versions/{version}") { request, context in
            try await versionPage(request, context, context.modelName(), try context.versionSelector())
        }
        pages.get("models/{model}/compare") { request, context in try await comparePage(request, context, context.modelName()) }
        pages.get("models/{model}/benchmarks") { request, context in
            let session = DashboardSession(request: request, context: context)
            let name = try context.modelName()
            let model = try await registry.modelDetails(name).model
            let html = BenchmarksPage(
                model: model, reports: try await registry.modelBenchmarks(name, suite: nil),
                suite: try request.query("suite").map(SuiteName.init(validating:))
            ).render(session.context(now: registry.now()))
            return DashboardResponse.html(html, session: session)
        }
        pages.get("models/{model}/deployments") { request, context in
            try await deploymentsPage(request, context, context.modelName())
        }
        pages.get("models/{model}/deployments/confirm") { request, context in
            try await confirmPage(request, context, context.modelName())
        }
        pages.post("models/{model}/deployments") { request, context in
            try await performAction(request, context, context.modelName())
        }
        pages.get("login") { request, context in try await loginPage(request, context) }
        pages.post("login") { request, context in try await login(request, context) }
        pages.post("logout") { request, context in try await logout(request, context) }
        pages.get("imports") { request, context in try await importsPage(request, context) }
        pages.get("monitoring") { request, context in try await monitoringPage(request, context) }
        pages.get("models/{model}/policy") { request, context in try await policyPage(request, context, context.modelName()) }
        pages.post("models/{model}/policy") { request, context in try await savePolicy(request, context, context.modelName()) }
        pages.get("register") { request, context in try await registerPage(request, context) }
        pages.post("register/model") { request, context in try await createModel(request, context) }
        pages.post("register/version") { request, context in try await registerVersion(request, context) }
        pages.post("models/{model}/versions/{version}/finish") { request, context in
            try await finishVersion(request, context, context.modelName(), try context.versionSelector())
        }
        router.get("events") { request, _ in DashboardEvents(registry: registry).response(request) }
        router.get("static/{file}") { _, context in try Self.asset(context.parameters.get("file") ?? "") }
    }

    static func asset(_ file: String) throws -> Response {
        let (text, type): (String, String)
        switch "/static/" + file {
        case Assets.stylesheetPath: (text, type) = (Assets.stylesheet, "text/css; charset=utf-8")
        case Assets.scriptPath: (text, type) = (Assets.script, "text/javascript; charset=utf-8")
        default: throw RegistryError.notFound("no such file; the dashboard's files are \(Assets.stylesheetPath) and \(Assets.scriptPath)")
        }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=31536000, immutable"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Pages

    func modelsPage(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let search = request.query("q") ?? ""
        let tag = request.query("tag") ?? ""
        let filter = ModelFilter(nameContains: search.isEmpty ? nil : search, tag: try tag.isEmpty ? nil : TagFilter(parsing: tag))
        let page = try await registry.modelOverviews(filter: filter, page: try PageRequest(limit: 100, token: request.query("page_token")))
        let next = page.nextPageToken.map { token in
            Links.models + Links.query([("q", search), ("tag", tag), ("page_token", token)].filter { !$0.1.isEmpty })
        }
        let html = ModelsPage(models: page.items, search: search, tag: tag, nextPage: next)
            .render(session.context(now: registry.now()))
        return DashboardResponse.html(html, session: session)
    }

    func versionsPage(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let details = try await registry.modelDetails(name)
        let versions = try await registry.allVersions(name)
        let page = max(0, (try request.queryInt("page") ?? 1) - 1)
        let html = VersionsPage(
            model: details.model, versions: versions, aliases: details.deployed, best: details.best,
            sort: VersionSort(parsing: request.query("sort")), descending: request.query("order") != "asc", page: page
        ).render(session.context(now: registry.now()))
        return DashboardResponse.html(html, session: session)
    }

    func versionPage(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName, _ selector: VersionSelector) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let details = try await registry.modelDetails(name)
        let version = try await registry.version(name, selector)
        let exact = VersionSelector.version(version.version)
        async let history = registry.historySeries(name, exact)
        async let lineage = registry.lineage(name, exact, limit: VersionPage.lineageShown)
        async let artifacts = registry.listArtifacts(name, exact)
        async let deployments = registry.deployments(name, environment: nil, page: try PageRequest(limit: 500))
        async let audit = registry.audit(name, page: try PageRequest(limit: 1_000))
        async let validation = registry.validationReport(name, exact)
        let serving = try await servingFacts(name, version)
        let drift = try await driftFacts(name, version, actor: session.actor)
        let v = version.version
        let html = VersionPage(
            model: details.model, version: version, aliases: details.deployed, best: details.best,
            history: try await history, lineage: try await lineage, artifacts: try await artifacts,
            deployments: try await deployments.items.filter { $0.fromVersion == v || $0.toVersion == v },
            audit: Array(try await audit.items.filter { $0.version == v }.prefix(100)), serving: serving,
            validation: try await validation, drift: drift
        ).render(session.context(now: registry.now()))
        return DashboardResponse.html(html, session: session)
    }

    func servingFacts(_ name: ModelName, _ version: ModelVersion) async throws -> VersionServing? {
        guard version.serving != nil else { return nil }
        let loaded = pool.loadedInstance(version.key)
        let windows = loaded?.metrics.snapshot().windows.map {
            LiveWindow(
                seconds: $0.seconds, requests: $0.requests, errors: $0.errors, requestsPerSecond: $0.requestsPerSecond,
                p50: $0.p50Milliseconds, p95: $0.p95Milliseconds, p99: $0.p99Milliseconds)
        }
        let exact = VersionSelector.version(version.version)
        return VersionServing(
            loaded: loaded != nil, windows: windows ?? [],
            history: try await registry.inferenceHistory(name, exact, since: registry.now().addingTimeInterval(-86_400)),
            benchmarks: try await registry.benchmarks(name, exact, limit: 10))
    }

    /// The drift panel's figures: the reference (computed from the version's files the first time), this server's
    /// smallest window with its distributions, and a week of hourly history.
    func driftFacts(_ name: ModelName, _ version: ModelVersion, actor: String) async throws -> VersionDrift {
        let reference = try await registry.driftReference(name, version.version, actor: actor)
        let monitor = pool.driftMonitor(name, version.version)
        let (status, distributions) = try await pool.offloaded { () -> (DriftMonitor.Status?, [String: ColumnDistribution]) in
            guard let monitor else { return (nil, [:]) }
            let status = monitor.currentStatus()
            return (status, monitor.distributions())
        }
        let window = status?.windows.first
        return VersionDrift(
            referenceRows: reference?.rows, referenceSource: reference?.source,
            hint: reference == nil ? Registry.noReference(name, version.version) : nil, monitoring: status?.monitoring ?? false,
            rowsSeen: status?.rowsSeen ?? 0, drifting: status?.drifting, windowSize: window?.size, report: window?.report,
            distributions: distributions,
            history: try await registry.driftHistory(name, version.version, since: registry.now().addingTimeInterval(-7 * 86_400)))
    }

    /// `/monitoring`: what this server serves, worst first.
    func monitoringPage(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        var versions: [MonitoredVersion] = []
        for route in pool.status() {
            guard let servingVersion = route.servingVersion, let model = try? ModelName(validating: route.model) else { continue }
            let canaries = route.shares.reduce(0) { $0 + $1.percent }
            var entries = [(servingVersion, 100 - canaries)]
            entries += route.shares.map { ($0.version, $0.percent) }
            for (text, percent) in entries {
                guard let version = try? SemanticVersion(parsing: text), let loaded = pool.loadedInstance(VersionKey(model: model, version: version))
                else { continue }
                let minute = loaded.metrics.snapshot(windows: [60]).windows.first
                let status = loaded.drift.isMonitoring ? loaded.drift.status() : nil
                let window = status?.windows.first
                versions.append(
                    MonitoredVersion(
                        model: model, environment: route.environment, version: version, percent: percent,
                        requestsPerSecond: minute?.requestsPerSecond ?? 0,
                        errorRate: minute.flatMap { $0.requests == 0 ? nil : $0.errorRate }, p99: minute?.p99Milliseconds,
                        hasReference: status != nil, drifting: status?.drifting, driftShare: window?.report.share,
                        driftRows: window?.rows ?? 0))
            }
        }
        let html = MonitoringPage(versions: versions).render(session.context(now: registry.now()))
        return DashboardResponse.html(html, session: session)
    }

    func comparePage(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let chosen = request.uri.queryParameters.getAll("v").filter { !$0.isEmpty }
        guard chosen.count >= 2 else {
            throw RegistryError.invalidArgument("select at least two versions to compare (tick them in the versions table)")
        }
        guard chosen.count <= 10 else {
            throw RegistryError.invalidArgument("compare at most 10 versions at once; you selected \(chosen.count)")
        }
        let model = try await registry.modelDetails(name).model
        let (comparison, versions, histories) = try await registry.compareInDetail(
            name, try chosen.map(VersionSelector.init(parsing:)))
        let compared = Set(comparison.versions)
        let benchmarks = try await registry.modelBenchmarks(name, suite: nil).filter { compared.contains($0.version) }
        let html = ComparePage(model: model, comparison: comparison, versions: versions, histories: histories, benchmarks: benchmarks)
            .render(session.context(now: registry.now()))
        return DashboardResponse.html(html, session: session)
    }

    func deploymentsPage(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let details = try await registry.modelDetails(name)
        let deployments = try await registry.deployments(name, environment: nil, page: try PageRequest(limit: 200)).items
        let versions = try await registry.allVersions(name).sorted { $0.version > $1.version }
        let serving = pool.status().filter { $0.model == name.rawValue }.compactMap { status in
            (try? EnvironmentName(validating: status.environment)).map {
                EnvironmentServing(environment: $0, state: status.state, problem: status.problem)
            }
        }
        let notice = Self.notice(request.query("done"), deployments: deployments, best: details.best)
        let html = DeploymentsPage(
            model: details.model, aliases: details.deployed, best: details.best, versions: versions,
            deployments: deployments, traffic: try await registry.traffic(name), serving: serving,
            preselected: try request.query("version").map(SemanticVersion.init(parsing:))
        ).render(session.context(now: registry.now(), notice: notice))
        return DashboardResponse.html(html, session: session)
    }

    /// The notice after an action, told from the records themselves (so a crafted link cannot put words here).
    static func notice(_ done: String?, deployments: [Deployment], best: BestVersion?) -> String? {
        guard let done else { return nil }
        if done == "best", let best { return "Marked \(best.version) as the best version." }
        guard done.hasPrefix("deployment-"), let id = Int64(done.dropFirst(11)),
            let record = deployments.first(where: { $0.id == id })
        else { return nil }
        let target = record.toVersion?.description ?? "nothing"
        switch record.action {
        case .deploy: return "Deployed \(target) to \(record.environment)."
        case .rollback: return "Rolled \(record.environment) back to \(target)."
        case .undeploy: return "Undeployed \(record.environment)."
        }
    }

    func registerPage(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let models = try await registry.listModels(filter: .init(), page: .all).items.map(\.name)
        let selected = try request.query("model").map(ModelName.init(validating:))
        let notice = selected.flatMap { name in request.query("created") == "1" && models.contains(name) ? "Created model \(name). Register its first version below." : nil }
        let html = RegisterPage(models: models, selected: selected).render(session.context(now: registry.now(), notice: notice))
        return DashboardResponse.html(html, session: session)
    }
}

extension DashboardRoutes {
    func importsPage(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let model = (request.query("model") ?? "").trimmingCharacters(in: .whitespaces)
        let outcome = request.query("outcome") ?? ""
        let filter = ImportFilter(
            model: try model.isEmpty ? nil : ModelName(validating: model),
            outcome: try outcome.isEmpty ? nil : {
                guard let parsed = ImportRecord.Outcome(rawValue: outcome) else {
                    throw RegistryError.invalidArgument("outcome must be imported, duplicate or refused")
                }
                return parsed
            }())
        let page = try await registry.importRecords(filter, page: try PageRequest(limit: 100, token: request.query("page_token")))
        let next = page.nextPageToken.map { token in
            Links.imports + Links.query([("model", model), ("outcome", outcome), ("page_token", token)].filter { !$0.1.isEmpty })
        }
        let html = ImportsPage(imports: page.items, model: model, outcome: outcome, nextPage: next)
            .render(session.context(now: registry.now()))
        return DashboardResponse.html(html, session: session)
    }

    func policyPage(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let model = try await registry.modelDetails(name).model
        let policy = try await registry.validationPolicy(name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let document = String(decoding: try encoder.encode(policy.policy), as: UTF8.self)
        var context = session.context(now: registry.now())
        if let saved = request.query("saved") { context.notice = "Saved policy revision \(saved); the versions were validated again." }
        return DashboardResponse.html(PolicyPage(model: model, policy: policy, document: document).render(context), session: session)
    }
}
