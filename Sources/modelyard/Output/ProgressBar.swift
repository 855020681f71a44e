import Foundation
import Synchronization

/// A one-line progress bar on stderr for long transfers; redrawn at most ten times a second.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var done: Int64 = 0
        var drawn = false
    }

    let label: String
    let total: Int64
    let enabled: Bool
    private let start = ContinuousClock.now
    private let state = Mutex(State())

    /// Shown only when stderr is a terminal and the transfer is large enough to be worth watching.
    init(label: String, total: Int64, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled && total >= 1024 * 1024 && isatty(2) == 1
    }

    func update(_ done: Int64) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            state.done = done
            if let last = state.lastDraw, now - last < .milliseconds(100) { return nil }
            state.lastDraw = now
            state.drawn = true
            return Self.render(
                label: label, done: done, total: total, elapsed: (now - start).seconds, width: 30)
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line).utf8)) }
    }

    func finish() {
        guard enabled else { return }
        let done = state.withLock { $0.done }
        let line = Self.render(label: label, done: done, total: total, elapsed: (ContinuousClock.now - start).seconds, width: 30)
        FileHandle.standardError.write(Data(("\r" + line + "\n").utf8))
    }

    /// `model.onnx [##########----------]  50%  12.0/24.0 MB  6.0 MB/s`
    static func render(label: String, done: Int64, total: Int64, elapsed: Double, width: Int) -> String {
        let fraction = total > 0 ? min(1, max(0, Double(done) / Double(total))) : 0
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        return String(
            format: "%@ [%@] %3d%%  %.1f/%.1f MB  %.1f MB/s", label, bar, Int(fraction * 100), Double(done) / 1e6,
            Double(total) / 1e6, rate / 1e6)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
