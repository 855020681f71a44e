import Foundation

extension VersionReport {
    /// The report as Markdown for a person to read or paste.
    public var markdown: String {
        let esc = MarkdownFormat.escape
        let v = version
        var lines = ["# \(esc(model.name.rawValue)) \(v.version)", ""]
        if !v.description.isEmpty { lines += [esc(v.description), ""] }
        lines += ["| field | value |", "|---|---|"]
        var fields: [(String, String)] = [
            ("status", v.status.rawValue + (isBest ? " (best)" : "")),
            ("serving", environments.isEmpty ? "–" : environments.map(\.rawValue).joined(separator: ", ")),
            ("created", "\(ISO8601.format(v.createdAt)) by \(v.createdBy)"),
        ]
        fields += [
            ("framework", v.framework), ("base model", v.baseModel), ("source", v.sourceURI),
            ("git commit", v.gitCommit), ("hardware", v.hardware), ("run", v.runID),
            ("duration (s)", v.durationSeconds.map(MarkdownFormat.number)), ("cost", v.cost.map(MarkdownFormat.number)),
        ].compactMap { label, value in value.map { (label, $0) } }
        if !v.tags.isEmpty {
            fields.append(("tags", v.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))
        }
        lines += fields.map { "| \($0.0) | \(esc($0.1)) |" }
        lines += ["", "## Evaluation scores", ""]
        if v.scores.isEmpty {
            lines.append("_None._")
        } else {
            lines += ["| score | value |", "|---|---:|"]
            lines += v.scores.sorted { $0.key < $1.key }.map { "| \(esc($0.key)) | \(MarkdownFormat.number($0.value)) |" }
        }
        lines += ["", "## Params", ""]
        if v.params.isEmpty {
            lines.append("_None._")
        } else {
            lines += ["| param | value |", "|---|---|"]
            lines += v.params.sorted { $0.key < $1.key }.map { "| \(esc($0.key)) | \(esc($0.value.description)) |" }
        }
        lines += ["", "## Training history", ""]
        if history.isEmpty {
            lines.append("_None._")
        } else {
            lines += ["| metric | points | last | min | max | best @ step |", "|---|---:|---:|---:|---:|---:|"]
            for s in history {
                lines.append(
                    "| \(esc(s.name)) | \(s.count) | \(MarkdownFormat.number(s.last)) | \(MarkdownFormat.number(s.min)) | "
                        + "\(MarkdownFormat.number(s.max)) | \(MarkdownFormat.number(s.best)) @ \(s.bestStep) |")
            }
        }
        lines += ["", "## Lineage", ""]
        let parents = lineage.parents.map(\.description).joined(separator: ", ")
        let children = lineage.children.map(\.description).joined(separator: ", ")
        lines.append("- parents: \(parents.isEmpty ? "none" : esc(parents))")
        lines.append("- children: \(children.isEmpty ? "none" : esc(children))")
        for dataset in lineage.datasets {
            var line = "- dataset \(esc(dataset.name)) (\(esc(dataset.uri)))"
            if let rows = dataset.rows { line += ", \(rows) rows" }
            if let sha = dataset.sha256 { line += ", sha256 \(sha.prefix(12))" }
            lines.append(line)
        }
        lines += ["", "## Artifacts", ""]
        if artifacts.isEmpty {
            lines.append("_None._")
        } else {
            lines += ["| path | size | sha256 |", "|---|---:|---|"]
            lines += artifacts.map { "| \(esc($0.path.rawValue)) | \($0.size) | `\($0.sha256.rawValue)` |" }
        }
        lines += ["", "## Deployments", ""]
        if deployments.isEmpty {
            lines.append("_Never deployed._")
        } else {
            lines += ["| time | environment | action | from | to | actor | reason |", "|---|---|---|---|---|---|---|"]
            for d in deployments {
                lines.append(
                    "| \(ISO8601.format(d.createdAt)) | \(d.environment) | \(d.action.rawValue) | "
                        + "\(d.fromVersion?.description ?? "–") | \(d.toVersion?.description ?? "–") | "
                        + "\(esc(d.actor)) | \(esc(d.reason)) |")
            }
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
