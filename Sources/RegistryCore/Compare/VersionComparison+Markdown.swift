extension VersionComparison {
    /// The comparison as Markdown tables, for a person to paste into a review.
    public var markdown: String {
        var lines = ["# \(model): comparing \(versions.map(\.description).joined(separator: ", "))", ""]
        lines.append("## Scores (deltas against \(versions[0]))")
        lines.append("")
        if metrics.isEmpty {
            lines.append("_No evaluation scores._")
        } else {
            lines.append("| metric | " + versions.map(\.description).joined(separator: " | ") + " |")
            lines.append("|---|" + versions.map { _ in "---:|" }.joined())
            for row in metrics {
                let cells = row.values.indices.map { index -> String in
                    guard let value = row.values[index] else { return "–" }
                    var cell = MarkdownFormat.number(value)
                    if let delta = row.deltas[index] {
                        cell += " (\(MarkdownFormat.signed(delta.absolute))"
                        if let relative = delta.relative { cell += ", \(MarkdownFormat.percent(relative))" }
                        cell += ")"
                        if let improved = delta.improved { cell += improved ? " ▲" : " ▼" }
                    }
                    return cell
                }
                lines.append("| \(MarkdownFormat.escape(row.name)) (\(row.direction == .maximize ? "max" : "min")) | "
                    + cells.joined(separator: " | ") + " |")
            }
        }
        lines.append("")
        lines.append("## Params")
        lines.append("")
        for diff in params {
            lines.append("### \(diff.version) vs \(versions[0])")
            if diff.changed.isEmpty && diff.added.isEmpty && diff.removed.isEmpty {
                lines.append("")
                lines.append("_Same params._")
            } else {
                lines.append("")
                lines.append("| key | change | \(versions[0]) | \(diff.version) |")
                lines.append("|---|---|---|---|")
                for (kind, changes) in [("changed", diff.changed), ("added", diff.added), ("removed", diff.removed)] {
                    for change in changes {
                        lines.append(
                            "| \(MarkdownFormat.escape(change.key)) | \(kind) | "
                                + "\(MarkdownFormat.escape(change.from?.description ?? "–")) | "
                                + "\(MarkdownFormat.escape(change.to?.description ?? "–")) |")
                    }
                }
            }
            lines.append("")
        }
        lines.append("## Training history (last / best @ step)")
        lines.append("")
        if history.isEmpty {
            lines.append("_No training history._")
        } else {
            lines.append("| metric | " + versions.map(\.description).joined(separator: " | ") + " |")
            lines.append("|---|" + versions.map { _ in "---:|" }.joined())
            for row in history {
                let cells = row.summaries.map { summary in
                    summary.map {
                        "\(MarkdownFormat.number($0.last)) / \(MarkdownFormat.number($0.best)) @ \($0.bestStep)"
                    } ?? "–"
                }
                lines.append("| \(MarkdownFormat.escape(row.name)) | " + cells.joined(separator: " | ") + " |")
            }
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
