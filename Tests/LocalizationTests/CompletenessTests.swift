import ContactsDomain
import Foundation
import Localization
import Testing

struct RealCatalogTests {
    private func load() throws -> Catalog {
        try Catalog(contentsOf: packageRoot().appendingPathComponent("Templates/Localizable.xcstrings").path)
    }

    @Test func theShippedCatalogIsComplete() throws {
        let catalog = try load()
        #expect(catalog.completenessProblems() == [])
        #expect(catalog.keys.count > 90)
    }

    @Test func theShippedCatalogHasTheKeysPagesUse() throws {
        let catalog = try load()
        let required = [
            "app_name", "nav_contacts", "signin_title", "signin_error_throttled", "contacts_summary",
            "contacts_edit", "page_range", "form_errors_summary", "error_title", "error_503", "footer_text",
            "language_name_pl", "language_name_pt", "language_name_it",
        ]
        #expect(required.filter { !catalog.keys.contains($0) } == [])
    }

    @Test func theShippedCatalogUsesTheGlossary() throws {
        let catalog = try load()
        #expect(catalog.string("contacts_title", .pl) == "Moje kontakty")
        #expect(catalog.string("contacts_title", .pt) == "Os meus contactos")
        #expect(catalog.string("contacts_title", .it) == "I tuoi contatti")
        #expect(catalog.string("signin_customer_id_label", .pl) == "Identyfikator klienta")
        #expect(catalog.string("signin_customer_id_label", .pt) == "ID de cliente")
        #expect(catalog.string("signin_customer_id_label", .it) == "Identificativo cliente")
        #expect(catalog.string("contacts_col_billing", .pl) == "Kontakt księgowy")
        #expect(catalog.plural("contacts_summary", count: 22, .pl) == "22 usługi")
        #expect(catalog.plural("contacts_summary", count: 25, .pl) == "25 usług")
        #expect(catalog.plural("signin_error_throttled", count: 1, .it).contains("1 secondo"))
        #expect(catalog.string("page_range", .pt, 51, 100, 20_000) == "Serviços 51–100 de 20\u{00A0}000")
        for language in Language.allCases {
            #expect(catalog.string("language_name_pl", language) == "Polski")
        }
    }
}

struct CompletenessTests {
    @Test func aCompleteFixtureHasNoProblems() throws {
        let catalog = try catalog([
            "title": ["en": "Title", "pl": "Tytuł", "pt": "Título", "it": "Titolo"],
            "owner": ["en": "%@ holds %lld roles", "pl": "%2$lld role: %1$@", "pt": "%1$@ tem %2$lld funções", "it": "%@ ha %lld ruoli"],
            "services": [
                "en": .plural(["one": "%lld service", "other": "%lld services"]),
                "pl": .plural(["one": "%lld usługa", "few": "%lld usługi", "many": "%lld usług", "other": "%lld usługi"]),
                "pt": .plural(["one": "%lld serviço", "many": "%lld de serviços", "other": "%lld serviços"]),
                "it": .plural(["one": "%lld servizio", "many": "%lld di servizi", "other": "%lld servizi"]),
            ],
        ])
        #expect(catalog.completenessProblems() == [])
    }

    @Test func reportsAMissingTranslation() throws {
        let catalog = try catalog(["title": ["en": "Title", "pl": "Tytuł", "it": "Titolo"]])
        #expect(catalog.completenessProblems() == ["title [pt]: missing translation"])
    }

    @Test func reportsAMissingSourceText() throws {
        let catalog = try catalog(["title": ["pl": "Tytuł", "pt": "Título", "it": "Titolo"]])
        #expect(catalog.completenessProblems() == ["title [en]: no source text"])
    }

    @Test func reportsPlaceholderMismatches() throws {
        let catalog = try catalog([
            "edit": ["en": "Change contacts of %@", "pl": "Zmień kontakty usługi %@", "pt": "Alterar os contactos", "it": "Modifica %lld"],
            "range": ["en": "%1$lld–%2$lld of %3$lld", "pl": "%1$lld–%2$lld z %3$lld", "pt": "%1$lld–%2$lld de %2$lld", "it": "%1$lld–%2$lld di %3$@"],
        ])
        let problems = catalog.completenessProblems()
        #expect(problems.count == 4)
        #expect(problems.contains { $0.hasPrefix("edit [pt]: placeholders (no placeholders)") })
        #expect(problems.contains { $0.hasPrefix("edit [it]: placeholders (%1$lld)") })
        #expect(problems.contains { $0.hasPrefix("range [pt]: placeholders") })
        #expect(problems.contains { $0.hasPrefix("range [it]: placeholders") && $0.contains("%3$@") })
    }

    @Test func reportsMissingPluralCategories() throws {
        let catalog = try catalog([
            "services": [
                "en": .plural(["one": "%lld service", "other": "%lld services"]),
                "pl": .plural(["one": "%lld usługa", "many": "%lld usług", "other": "%lld usługi"]),
                "pt": .plural(["one": "%lld serviço", "other": "%lld serviços"]),
                "it": .plural(["one": "%lld servizio", "few": "%lld servizi", "many": "%lld di servizi", "other": "%lld servizi"]),
            ],
        ])
        #expect(catalog.completenessProblems() == [
            "services [pl]: plural is missing few",
            "services [pt]: plural is missing many",
            "services [it]: plural has few, which the language never uses",
        ])
    }

    @Test func reportsPluralFormsWithWrongPlaceholdersAndPluralMismatches() throws {
        let catalog = try catalog([
            "services": [
                "en": .plural(["one": "%lld service", "other": "%lld services"]),
                "pl": .plural(["one": "jedna usługa", "few": "%lld usługi", "many": "%lld usług", "other": "%lld usługi"]),
                "pt": "%lld serviços",
                "it": .plural(["one": "%lld servizio", "many": "%lld di servizi", "other": "%lld servizi"]),
            ],
            "title": ["en": "Title", "pl": "Tytuł", "pt": "Título", "it": .plural(["one": "Titolo", "many": "Titoli", "other": "Titoli"])],
        ])
        #expect(catalog.completenessProblems() == [
            "services [pl]: plural one: placeholders (no placeholders) differ from the source's (%1$lld)",
            "services [pt]: not plural, but the source text is",
            "title [it]: plural, but the source text is not",
        ])
    }

    @Test func reportsBadKeysEmptyTextsAndUnfinishedStates() throws {
        let json = #"""
        {"sourceLanguage": "en", "version": "1.0", "strings": {
          "nav.title": {"localizations": {
            "en": {"stringUnit": {"state": "translated", "value": "Title"}},
            "pl": {"stringUnit": {"state": "needs_review", "value": "Tytuł"}},
            "pt": {"stringUnit": {"state": "translated", "value": ""}},
            "it": {"stringUnit": {"value": "Titolo"}}}},
          "brand": {"shouldTranslate": false, "localizations": {
            "en": {"stringUnit": {"state": "translated", "value": "OVH"}}}}
        }}
        """#
        let catalog = try Catalog(json: Array(json.utf8))
        #expect(catalog.completenessProblems() == [
            "nav.title: the key is not a snake_case identifier",
            "nav.title [pl]: state is \"needs_review\", not \"translated\"",
            "nav.title [pt]: empty text",
        ])
    }
}
