import Foundation
import Localization
import Mustache
import TemplateRuntime
@testable import WebApp

/// swift-mustache as the reference for the compiled templates: the same view model, turned into
/// the dictionaries and arrays the engine reads (through `Mirror`, here in the tests only),
/// rendered from the same `Templates/` folder.
struct ReferenceRendering {
    static let templatesDirectory = TestApp.packageRoot.appendingPathComponent("Templates").path
    static let catalog = try! Catalog(contentsOf: (templatesDirectory as NSString).appendingPathComponent("Localizable.xcstrings"))
    static let library = try! TemplateLibrary(directory: templatesDirectory)

    /// The page as the compiled template writes it.
    static func compiled<Page: PageView>(_ page: Page, layout: LayoutView) -> String {
        var writer = TemplateWriter(capacity: 0)
        page.render(into: &writer, layout: layout)
        return writer.string
    }

    /// The page as swift-mustache renders it: the layout's names first, as the compiled code.
    static func reference<Page: PageView>(_ template: String, _ page: Page, layout: LayoutView) -> String {
        var root = value(page) as! [String: Any]
        root.merge(value(layout) as! [String: Any]) { _, layoutValue in layoutValue }
        return library.render(template, root)
    }

    /// A view model value as the engine reads it: structs become dictionaries, `nil` is absent.
    static func value(_ value: Any) -> Any? {
        switch value {
        case let strings as Strings: return CatalogLookup(strings: strings)
        case let text as String: return text
        case let flag as Bool: return flag
        case let number as Int: return number
        case let number as Int64: return number
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional: return mirror.children.first.flatMap { Self.value($0.value) }
        case .collection: return mirror.children.map { Self.value($0.value) as Any }
        default:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                if let label = child.label, let field = Self.value(child.value) { fields[label] = field }
            }
            return fields
        }
    }
}

/// `{{t.key}}` for the reference engine.
private struct CatalogLookup: MustacheParent {
    let strings: Strings
    func child(named key: String) -> Any? { strings[key] }
}

/// Values that every field is tried with: plain, with markup and quotes, long, empty.
enum EdgeValues {
    static let markup = #"<b>"Nowak" & 'Syn'</b> ✎ <script>alert(1)</script> ąęłóżź ãõç àèì"#
    static let long = String(repeating: "Długa nazwa usługi & <coś> \"więcej\" ", count: 80)
    static let count = 4

    /// The `edge`-th variant of a field whose ordinary value is `base`.
    static func text(_ edge: Int) -> @Sendable (String) -> String {
        switch edge {
        case 0: { $0 }
        case 1: { "\($0) \(markup)" }
        case 2: { "\($0) \(long)" }
        default: { _ in "" }
        }
    }
}
