import Foundation

/// A line chart drawn as SVG on the server: axes with rounded ticks, one polyline per series (min/max downsampled
/// so 100,000 points cost a few kilobytes), and hover targets whose tooltips give the exact values.
public struct LineChart: Sendable {
    public var title: String
    public var series: [ChartSeries]
    public var xLabel: String
    public var width = 600.0
    public var height = 260.0
    /// Buckets for the drawn lines (each keeps up to two points), shared among the series: overlaid lines
    /// need less detail each, and the chart stays the same size however many versions it compares.
    public var buckets = 400
    /// Hover targets, shared among the series the same way.
    public var hoverTargets = 120
    /// How x values read in ticks and tooltips (steps by default; times for serving charts).
    public var xFormat: @Sendable (Double) -> String = { LineChart.integer($0) }
    public var yFormat: @Sendable (Double) -> String = { Format.metric($0) }

    public init(title: String, series: [ChartSeries], xLabel: String) {
        self.title = title
        self.series = series
        self.xLabel = xLabel
    }

    static let margin = (left: 56.0, right: 12.0, top: 10.0, bottom: 34.0)

    public func render() -> HTML {
        let drawn = series.filter { !$0.isEmpty }
        guard !drawn.isEmpty else {
            return "<p class=\"muted\">No points recorded for \(title).</p>"
        }
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for line in drawn {
            for x in line.xs {
                minX = min(minX, x)
                maxX = max(maxX, x)
            }
            for y in line.ys {
                minY = min(minY, y)
                maxY = max(maxY, y)
            }
        }
        let xTicks = Ticks.nice(minX, maxX, count: 6)
        let yTicks = Ticks.nice(minY, maxY, count: 5)
        let (x0, x1) = (xTicks.first ?? minX, xTicks.last ?? maxX)
        let (y0, y1) = (yTicks.first ?? minY, yTicks.last ?? maxY)
        let m = Self.margin
        let plotW = width - m.left - m.right
        let plotH = height - m.top - m.bottom
        let sx = { (x: Double) in m.left + (x1 == x0 ? plotW / 2 : (x - x0) / (x1 - x0) * plotW) }
        let sy = { (y: Double) in m.top + plotH - (y1 == y0 ? plotH / 2 : (y - y0) / (y1 - y0) * plotH) }

        var svg = ""
        svg.reserveCapacity(16_384 * drawn.count)
        let summary = drawn.map { "\($0.label): \($0.xs.count) points" }.joined(separator: "; ")
        svg += "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\""
        HTML.escape("\(title) (\(summary))", into: &svg)
        svg += "\"><title>"
        HTML.escape(title, into: &svg)
        svg += "</title>"
        for tick in yTicks {
            let y = Self.coordinate(sy(tick))
            svg += "<line class=\"gridline\" x1=\"\(Int(m.left))\" x2=\"\(Int(width - m.right))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            svg += "<text x=\"\(Int(m.left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">"
            HTML.escape(yFormat(tick), into: &svg)
            svg += "</text>"
        }
        let baseline = Self.coordinate(m.top + plotH)
        svg += "<line class=\"axis\" x1=\"\(Int(m.left))\" x2=\"\(Int(width - m.right))\" y1=\"\(baseline)\" y2=\"\(baseline)\"/>"
        for (index, tick) in xTicks.enumerated() {
            let x = Self.coordinate(sx(tick))
            // The last label ends at the plot's edge instead of spilling past the chart (and being clipped).
            let anchor = index == xTicks.count - 1 && xTicks.count > 1 ? "end" : "middle"
            svg += "<text x=\"\(x)\" y=\"\(Int(height - 16))\" text-anchor=\"\(anchor)\">"
            HTML.escape(xFormat(tick), into: &svg)
            svg += "</text>"
        }
        svg += "<text x=\"\(Int(m.left + plotW / 2))\" y=\"\(Int(height - 2))\" text-anchor=\"middle\">"
        HTML.escape(xLabel, into: &svg)
        svg += "</text>"
        let perSeriesBuckets = max(100, buckets / drawn.count)
        let perSeriesTargets = max(20, hoverTargets / drawn.count)
        for (index, line) in series.enumerated() where !line.isEmpty {
            let colour = "c\(index % 8 + 1)"
            svg += "<g class=\"\(colour)\"><polyline points=\""
            for i in Downsample.minMax(line.ys, buckets: perSeriesBuckets) {
                svg += Self.coordinate(sx(line.xs[i]))
                svg += ","
                svg += Self.coordinate(sy(line.ys[i]))
                svg += " "
            }
            svg += "\"/>"
            for i in Downsample.evenly(count: line.xs.count, targets: perSeriesTargets) {
                svg += "<circle class=\"pt\" r=\"3\" cx=\"\(Self.coordinate(sx(line.xs[i])))\" cy=\"\(Self.coordinate(sy(line.ys[i])))\"><title>"
                HTML.escape("\(line.label) · \(xLabel) \(xFormat(line.xs[i])): \(yFormat(line.ys[i]))", into: &svg)
                svg += "</title></circle>"
            }
            svg += "</g>"
        }
        svg += "</svg>"
        let legend: HTML =
            series.count > 1 || series[0].label != title
            ? "<ul class=\"legend\">\(series.enumerated().map { index, line -> HTML in "<li><i class=\"c\(index % 8 + 1)\"></i>\(line.label)\(line.isEmpty ? " (no points)" : "")</li>" })</ul>"
            : .empty
        return legend + HTML(trusted: svg)
    }

    /// One decimal place, enough for a 720-unit view box, and short.
    static func coordinate(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let whole = tenths / 10
        let fraction = abs(tenths % 10)
        if fraction == 0 { return String(whole) }
        return (tenths < 0 && whole == 0 ? "-" : "") + String(whole) + "." + String(fraction)
    }

    public static func integer(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : Format.metric(value)
    }
}

/// Axis ticks at 1, 2 or 5 × 10ⁿ spacing that cover the data.
public enum Ticks {
    public static func nice(_ low: Double, _ high: Double, count: Int) -> [Double] {
        guard low.isFinite, high.isFinite else { return [] }
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.05
            return nice(low - pad, high + pad, count: count)
        }
        let raw = (high - low) / Double(max(1, count - 1))
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
        let first = floor(low / step) * step
        var ticks: [Double] = []
        for index in 0..<50 {
            let value = first + Double(index) * step
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            if value >= high - step * 1e-9 { break }
        }
        return ticks
    }
}
