import RegistryCore

/// A version's lineage as an SVG graph: its datasets, run and parents on the left, the version in the middle,
/// its children on the right; every version node links to its page.
public enum LineageGraph {
    static let nodeWidth = 168.0
    static let nodeHeight = 34.0
    static let columnGap = 64.0
    static let rowGap = 12.0

    struct Node {
        var label: String
        var detail: String
        var href: String?
        var kind: String
    }

    public static func render(_ lineage: Lineage) -> HTML {
        var inputs: [Node] = lineage.parents.map {
            Node(label: "\($0.model.rawValue) \($0.version)", detail: "parent", href: Links.version($0.model, $0.version), kind: "version")
        }
        inputs += lineage.datasets.map {
            Node(label: $0.name, detail: $0.role.map { "dataset · \($0)" } ?? "dataset", href: nil, kind: "dataset")
        }
        if let run = lineage.runID {
            inputs.append(Node(label: "run " + String(run.prefix(12)), detail: "training run", href: Links.run(run), kind: "dataset"))
        }
        let outputs = lineage.children.map {
            Node(label: "\($0.model.rawValue) \($0.version)", detail: "child", href: Links.version($0.model, $0.version), kind: "version")
        }
        let center = Node(
            label: "\(lineage.model.rawValue) \(lineage.version)", detail: "this version", href: nil, kind: "version self")
        let rows = max(1, inputs.count, outputs.count)
        let height = Double(rows) * (nodeHeight + rowGap) + rowGap
        let width = 3 * nodeWidth + 2 * columnGap + 8
        func y(_ index: Int, of count: Int) -> Double {
            let block = Double(count) * (nodeHeight + rowGap) - rowGap
            return (height - block) / 2 + Double(index) * (nodeHeight + rowGap)
        }
        let columns = (left: 4.0, middle: 4 + nodeWidth + columnGap, right: 4 + 2 * (nodeWidth + columnGap))
        let centerY = y(0, of: 1)
        var svg = ""
        var edges = ""
        for (index, node) in inputs.enumerated() {
            let top = y(index, of: inputs.count)
            edges += curve(from: (columns.left + nodeWidth, top + nodeHeight / 2), to: (columns.middle, centerY + nodeHeight / 2))
            svg += box(node, x: columns.left, y: top)
        }
        for (index, node) in outputs.enumerated() {
            let top = y(index, of: outputs.count)
            edges += curve(from: (columns.middle + nodeWidth, centerY + nodeHeight / 2), to: (columns.right, top + nodeHeight / 2))
            svg += box(node, x: columns.right, y: top)
        }
        svg += box(center, x: columns.middle, y: centerY)
        let description =
            "Lineage of \(lineage.model.rawValue) \(lineage.version): \(lineage.parents.count) parents, \(lineage.datasets.count) datasets, \(lineage.children.count) children"
        var result = "<svg class=\"lineage chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\""
        HTML.escape(description, into: &result)
        result += "\"><title>"
        HTML.escape(description, into: &result)
        result += "</title>" + edges + svg + "</svg>"
        return HTML(trusted: result)
    }

    static func box(_ node: Node, x: Double, y: Double) -> String {
        var text = "<g class=\"node \(node.kind)\">"
        if let href = node.href {
            text += "<a href=\""
            HTML.escape(href, into: &text)
            text += "\">"
        }
        text += "<rect x=\"\(LineChart.coordinate(x))\" y=\"\(LineChart.coordinate(y))\" width=\"\(Int(nodeWidth))\" height=\"\(Int(nodeHeight))\" rx=\"6\"/>"
        text += "<text x=\"\(LineChart.coordinate(x + 8))\" y=\"\(LineChart.coordinate(y + 14))\">"
        HTML.escape(truncate(node.label, 24), into: &text)
        text += "</text><text x=\"\(LineChart.coordinate(x + 8))\" y=\"\(LineChart.coordinate(y + 28))\" class=\"muted\">"
        HTML.escape(truncate(node.detail, 26), into: &text)
        text += "</text><title>"
        HTML.escape(node.label + " (" + node.detail + ")", into: &text)
        text += "</title>"
        if node.href != nil { text += "</a>" }
        return text + "</g>"
    }

    static func curve(from: (Double, Double), to: (Double, Double)) -> String {
        let mid = (from.0 + to.0) / 2
        let c = LineChart.coordinate
        return "<path d=\"M\(c(from.0)) \(c(from.1)) C\(c(mid)) \(c(from.1)) \(c(mid)) \(c(to.1)) \(c(to.0)) \(c(to.1))\"/>"
    }

    static func truncate(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
