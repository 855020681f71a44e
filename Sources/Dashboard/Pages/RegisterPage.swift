import RegistryCore

/// `/register`: create a model, and register a version of one with params, scores and files (uploaded with
/// progress when JavaScript runs; files go to the API's artifact endpoint, so they are hashed and checked there).
public struct RegisterPage: Sendable {
    public var models: [ModelName]
    public var selected: ModelName?
    /// The server's message for the form that failed, and which form it was (`model` or `version`).
    public var error: (form: String, message: String)?
    /// The failed form's fields, so nothing typed is lost.
    public var values: [String: String]

    public init(models: [ModelName], selected: ModelName?, error: (form: String, message: String)? = nil, values: [String: String] = [:]) {
        self.models = models
        self.selected = selected
        self.error = error
        self.values = values
    }

    func value(_ key: String, _ fallback: String = "") -> String { values[key] ?? fallback }

    func errorPanel(_ form: String) -> HTML {
        guard let error, error.form == form else { return .empty }
        return "<p class=\"form-error\" role=\"alert\">\(error.message)</p>"
    }

    public func render(_ context: PageContext) -> HTML {
        guard context.may(.write) else {
            return PageLayout.render(
                title: "Register", crumbs: [Crumb("Models", Links.models), Crumb("Register")], context: context,
                main: "<h1>Register</h1><section class=\"panel\">\(PageLayout.needs(.write, for: "Registering models and versions", context))</section>")
        }
        let options = HTML.join(
            models.map { name -> HTML in
                "<option value=\"\(name.rawValue)\"\(name == selected ? " selected" as HTML : .empty)>\(name.rawValue)</option>"
            })
        let csrf: HTML = "<input type=\"hidden\" name=\"csrf\" value=\"\(context.csrfToken)\">"
        let direction = value("direction", "max")
        let versionForm: HTML =
            models.isEmpty
            ? "<p class=\"muted\">Create a model first.</p>"
            : """
                <form id="register-version" method="post" action="/register/version" enctype="application/x-www-form-urlencoded">\(csrf)
                \(errorPanel("version"))
                <div class="grid">
                <div class="field"><label for="v-model">Model</label><select id="v-model" name="model">\(options)</select></div>
                <div class="field"><label for="v-bump">Version bump</label><select id="v-bump" name="bump"><option value="">model default</option><option value="major">major</option><option value="minor">minor</option><option value="patch">patch</option></select></div>
                <div class="field"><label for="v-status">Status</label><select id="v-status" name="status"><option value="ready">ready (deployable)</option><option value="draft"\(value("status") == "draft" ? " selected" as HTML : .empty)>draft</option></select></div>
                <div class="field"><label for="v-framework">Framework</label><input id="v-framework" name="framework" value="\(value("framework"))" placeholder="sklearn"></div>
                <div class="field"><label for="v-parents">Parent versions</label><input id="v-parents" name="parents" value="\(value("parents"))" placeholder="1.0.0"></div>
                <div class="field"><label for="v-commit">Git commit</label><input id="v-commit" name="git_commit" value="\(value("git_commit"))" placeholder="3f2a9c1"></div>
                </div>
                <div class="field"><label for="v-description">Description</label><input id="v-description" name="description" value="\(value("description"))" maxlength="10000" style="width:100%"></div>
                <div class="grid">
                <div class="field"><label for="v-params">Parameters (key=value per line)</label><textarea id="v-params" name="params" placeholder="learning_rate=0.05&#10;max_depth=6">\(value("params"))</textarea></div>
                <div class="field"><label for="v-scores">Evaluation scores (name=number per line)</label><textarea id="v-scores" name="scores" placeholder="f1=0.86&#10;auc=0.93">\(value("scores"))</textarea></div>
                </div>
                <div class="field"><label for="v-files">Files (model.onnx and anything else; uploaded with progress, sha256 recorded)</label><input id="v-files" type="file" name="files" multiple></div>
                <div class="field"><label for="v-actor">Your name</label><input id="v-actor" name="actor" value="\(value("actor", context.actor))" maxlength="250" placeholder="dashboard"></div>
                <p class="form-error" id="upload-error" role="alert" hidden></p>
                <ul id="upload-progress" class="legend" aria-live="polite"></ul>
                <button type="submit">Register version</button>
                </form>
                """
        return PageLayout.render(
            title: "Register", crumbs: [Crumb("Models", Links.models), Crumb("Register")], context: context,
            main: """
                <h1>Register</h1>
                <section class="panel" aria-labelledby="version-h"><h2 id="version-h">A new version</h2>\(versionForm)</section>
                <section class="panel" aria-labelledby="model-h"><h2 id="model-h">A new model</h2>
                <form method="post" action="/register/model">\(csrf)
                \(errorPanel("model"))
                <div class="grid">
                <div class="field"><label for="m-name">Name</label><input id="m-name" name="name" required maxlength="128" value="\(value("name"))" placeholder="fraud-detector"></div>
                <div class="field"><label for="m-task">Task</label><input id="m-task" name="task" list="tasks" value="\(value("task"))" placeholder="classification"><datalist id="tasks"><option value="classification"><option value="regression"><option value="anomaly_detection"><option value="text_embedding"></datalist></div>
                <div class="field"><label for="m-owner">Owner</label><input id="m-owner" name="owner" value="\(value("owner"))" placeholder="risk-team"></div>
                <div class="field"><label for="m-metric">Primary metric</label><input id="m-metric" name="primary_metric" value="\(value("primary_metric"))" placeholder="f1"></div>
                <div class="field"><label for="m-direction">Better is</label><select id="m-direction" name="direction"><option value="max">higher</option><option value="min"\(direction == "min" ? " selected" as HTML : .empty)>lower</option></select></div>
                </div>
                <div class="field"><label for="m-description">Description</label><input id="m-description" name="model_description" value="\(value("model_description"))" style="width:100%"></div>
                <div class="field"><label for="m-tags">Tags (key=value per line)</label><textarea id="m-tags" name="tags" placeholder="team=risk">\(value("tags"))</textarea></div>
                <div class="field"><label for="m-actor">Your name</label><input id="m-actor" name="actor" value="\(value("actor", context.actor))" maxlength="250" placeholder="dashboard"></div>
                <button type="submit">Create model</button>
                </form></section>
                """)
    }
}
