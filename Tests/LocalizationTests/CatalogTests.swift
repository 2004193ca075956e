import ContactsDomain
import Foundation
import Localization
import Testing

struct CatalogLookupTests {
    @Test func findsTheTranslationThenEnglishThenTheKey() throws {
        let catalog = try catalog([
            "greeting": ["en": "Hello", "pl": "Cześć", "it": "Ciao"],
            "farewell": ["en": "Goodbye"],
        ])
        #expect(catalog.string("greeting", .pl) == "Cześć")
        #expect(catalog.string("greeting", .it) == "Ciao")
        #expect(catalog.string("greeting", .pt) == "Hello")
        #expect(catalog.string("farewell", .it) == "Goodbye")
        #expect(catalog.string("no_such_key", .pt) == "no_such_key")
        #expect(catalog.string("no_such_key", .pt, "x", 1) == "no_such_key")
        #expect(catalog.plural("no_such_key", count: 3, .pl) == "no_such_key")
    }

    @Test func listsKeysSorted() throws {
        let catalog = try catalog(["b_key": ["en": "B"], "a_key": ["en": "A"], "c_key": ["en": "C"]])
        #expect(catalog.keys == ["a_key", "b_key", "c_key"])
        #expect(catalog.sourceLanguage == "en")
    }

    @Test func substitutesStringsAndGroupedIntegers() throws {
        let catalog = try catalog([
            "edit": ["en": "Change contacts of %@", "pl": "Zmień kontakty usługi %@"],
            "range": ["en": "Services %1$lld–%2$lld of %3$lld", "it": "Servizi %1$lld–%2$lld di %3$lld"],
        ])
        #expect(catalog.string("edit", .pl, "example.pl") == "Zmień kontakty usługi example.pl")
        #expect(catalog.string("edit", .pt, .string("vps-1.example")) == "Change contacts of vps-1.example")
        #expect(catalog.string("range", .it, 1, 50, 20_000) == "Servizi 1–50 di 20.000")
        #expect(catalog.string("range", .pl, 1, 50, 20_000) == "Services 1–50 of 20\u{00A0}000")
    }

    @Test func positionalPlaceholdersReorderArguments() throws {
        let catalog = try catalog([
            "owner": ["en": "%@ holds %lld roles", "pl": "%2$lld role ma %1$@", "pt": "%1$@ tem %2$lld funções"],
        ])
        #expect(catalog.string("owner", .pl, "aa1-ovh", 3) == "3 role ma aa1-ovh")
        #expect(catalog.string("owner", .pt, "aa1-ovh", 3) == "aa1-ovh tem 3 funções")
        #expect(catalog.string("owner", .it, "aa1-ovh", 3) == "aa1-ovh holds 3 roles")
    }

    @Test func percentSignsAndMissingArguments() throws {
        let catalog = try catalog([
            "done": ["en": "100%% done"],
            "named": ["en": "Hello %@, you have %lld"],
        ])
        #expect(catalog.string("done", .pl) == "100% done")
        #expect(catalog.string("done", .pl, "ignored") == "100% done")
        #expect(catalog.string("named", .pl) == "Hello %@, you have %lld")
        #expect(catalog.string("named", .pl, "Ana") == "Hello Ana, you have %lld")
    }

    @Test func pluralChoosesTheLanguagesCategory() throws {
        let catalog = try catalog([
            "services": [
                "en": .plural(["one": "%lld service", "other": "%lld services"]),
                "pl": .plural(["one": "%lld usługa", "few": "%lld usługi", "many": "%lld usług", "other": "%lld usługi"]),
                "it": .plural(["one": "%lld servizio", "many": "%lld di servizi", "other": "%lld servizi"]),
            ],
        ])
        let polish = [0, 1, 2, 4, 5, 12, 22, 25, 112, 20_000].map { catalog.plural("services", count: $0, .pl) }
        #expect(polish == ["0 usług", "1 usługa", "2 usługi", "4 usługi", "5 usług", "12 usług", "22 usługi", "25 usług", "112 usług", "20\u{00A0}000 usług"])
        let italian = [0, 1, 2, 1_000_000].map { catalog.plural("services", count: $0, .it) }
        #expect(italian == ["0 servizi", "1 servizio", "2 servizi", "1.000.000 di servizi"])
        // Without a Portuguese translation, English with English rules: 2 is `other`, not a Polish-style `few`.
        #expect(catalog.plural("services", count: 1, .pt) == "1 service")
        #expect(catalog.plural("services", count: 2, .pt) == "2 services")
        // A lookup without a count shows the `other` form as written.
        #expect(catalog.string("services", .pl) == "%lld usługi")
    }

    @Test func pluralTakesFurtherArguments() throws {
        let catalog = try catalog([
            "wait": [
                "en": .plural(["one": "%2$@: wait %1$lld second", "other": "%2$@: wait %1$lld seconds"]),
                "pl": .plural(["one": "%2$@: poczekaj %1$lld sekundę", "few": "%2$@: poczekaj %1$lld sekundy", "many": "%2$@: poczekaj %1$lld sekund", "other": "%2$@: poczekaj %1$lld sekundy"]),
            ],
        ])
        #expect(catalog.plural("wait", count: 3, .pl, "aa1-ovh") == "aa1-ovh: poczekaj 3 sekundy")
        #expect(catalog.plural("wait", count: 1, .it, "aa1-ovh") == "aa1-ovh: wait 1 second")
    }

    @Test func pluralOnAPlainKeySubstitutesTheCount() throws {
        let catalog = try catalog(["count": ["en": "Count: %lld"]])
        #expect(catalog.plural("count", count: 7, .it) == "Count: 7")
    }

    @Test func argumentLiterals() {
        let arguments: [CatalogArgument] = ["text", 42]
        #expect(arguments == [.string("text"), .integer(42)])
    }
}

struct CatalogLoadingTests {
    private func loadError(_ json: String) -> CatalogError? {
        do {
            _ = try Catalog(json: Array(json.utf8))
            return nil
        } catch {
            return error as? CatalogError
        }
    }

    @Test func rejectsInvalidJSON() {
        let error = loadError(#"{"sourceLanguage": "en", "strings": {"#)
        #expect(error != nil)
        #expect(error?.key == nil)
    }

    @Test func rejectsADocumentWithoutStrings() {
        #expect(loadError(#"{"sourceLanguage": "en", "version": "1.0"}"#)?.message.contains("strings") == true)
        #expect(loadError(#"["not", "a", "catalog"]"#) != nil)
        #expect(loadError(#"{"strings": {}}"#)?.message.contains("sourceLanguage") == true)
    }

    @Test(arguments: [
        ("Only %s here", "%s"),
        ("50% off", "% "),
        ("Trailing %", "%"),
        ("Width %5lld", "%5"),
        ("Zero position %0$@", "%0$"),
        ("Mixed %1$@ and %1$lld", "%1$lld"),
    ])
    func rejectsUnsupportedPlaceholdersNamingKeyAndLanguage(_ value: String, _ spec: String) throws {
        let json = #"{"sourceLanguage": "en", "strings": {"bad_key": {"localizations": {"en": {"stringUnit": {"state": "translated", "value": "fine"}}, "pl": {"stringUnit": {"state": "translated", "value": "\#(value)"}}}}}}"#
        let error = try #require(loadError(json))
        #expect(error.key == "bad_key")
        #expect(error.language == "pl")
        #expect(error.message.contains(spec))
        #expect(error.description.contains("bad_key"))
    }

    @Test func rejectsUnknownPluralCategoriesAndVariations() throws {
        let unknownCategory = #"{"sourceLanguage": "en", "strings": {"k": {"localizations": {"en": {"variations": {"plural": {"one": {"stringUnit": {"value": "a"}}, "lots": {"stringUnit": {"value": "b"}}}}}}}}}"#
        let categoryError = try #require(loadError(unknownCategory))
        #expect(categoryError.key == "k")
        #expect(categoryError.message.contains("lots"))

        let device = #"{"sourceLanguage": "en", "strings": {"k": {"localizations": {"it": {"variations": {"device": {"mac": {"stringUnit": {"value": "a"}}}}}}}}}"#
        let deviceError = try #require(loadError(device))
        #expect(deviceError.language == "it")
        #expect(deviceError.message.contains("device"))

        let noValue = #"{"sourceLanguage": "en", "strings": {"k": {"localizations": {"pt": {"stringUnit": {"state": "translated"}}}}}}"#
        #expect(loadError(noValue)?.language == "pt")
    }

    @Test func namesTheFileItCouldNotLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("Broken.xcstrings").path
        try Data(#"{"sourceLanguage": "en", "strings": {"oops": {"localizations": {"en": {"stringUnit": {"value": "%q"}}}}}}"#.utf8)
            .write(to: URL(fileURLWithPath: path))

        #expect(throws: CatalogError.self) { try Catalog(contentsOf: path) }
        do {
            _ = try Catalog(contentsOf: path)
        } catch let error as CatalogError {
            #expect(error.file == path)
            #expect(error.key == "oops")
            #expect(error.description.hasPrefix(path))
        }

        let missing = directory.appendingPathComponent("Missing.xcstrings").path
        do {
            _ = try Catalog(contentsOf: missing)
            Issue.record("a missing file must not load")
        } catch let error as CatalogError {
            #expect(error.file == missing)
        }
    }
}
