import Foundation
import RegistryCore

/// The small labels that recur on every page: status, BEST, the environments a version serves.
enum Badges {
    static func status(_ status: VersionStatus) -> HTML {
        "<span class=\"badge \(status.rawValue)\">\(status.rawValue)</span>"
    }

    static let best: HTML = "<span class=\"badge best\" title=\"Best version of this model\">BEST</span>"

    static func environments(_ names: [EnvironmentName]) -> HTML {
        HTML.join(names.sorted().map { "<span class=\"badge env\">\($0.rawValue)</span>" })
    }

    static func tags(_ tags: [String: String], link: ((String, String) -> String)? = nil) -> HTML {
        HTML.join(
            tags.sorted { $0.key < $1.key }.map { key, value -> HTML in
                let text = value.isEmpty ? key : "\(key)=\(value)"
                if let link { return "<a class=\"badge\" href=\"\(link(key, value))\">\(text)</a>" }
                return "<span class=\"badge\">\(text)</span>"
            })
    }

    static func time(_ date: Date, now: Date) -> HTML {
        "<time datetime=\"\(Format.iso(date))\" title=\"\(Format.timestamp(date))\">\(Format.ago(date, now: now))</time>"
    }
}
