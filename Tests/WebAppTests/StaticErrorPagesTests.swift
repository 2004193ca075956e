import ContactsDomain
import Foundation
import Localization
import Testing
@testable import WebApp

/// nginx serves `public/errors/*.html` itself when the app cannot answer; their text must be the
/// catalog's, in every language, so that these pages never drift from the rest of the product.
@Suite struct StaticErrorPagesTests {
    @Test(arguments: [400, 413, 429, 502, 503, 504])
    func everyStaticErrorPageSaysWhatTheCatalogSays(_ status: Int) throws {
        let test = try TestApp()
        let url = TestApp.packageRoot.appendingPathComponent("public/errors/\(status).html")
        let page = try String(contentsOf: url, encoding: .utf8)
        for language in Language.allCases {
            let section = try #require(page.range(of: "<section lang=\"\(language.tag)\">"))
            let rest = page[section.upperBound...]
            let body = String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
            #expect(body.contains(test.app.text("error_title", language)), "\(status) \(language)")
            #expect(body.contains(test.app.text("error_\(status)", language)), "\(status) \(language)")
        }
    }
}
