import Foundation
import Testing

/// Patterns a native reader flagged in the catalog, each held by a test so that it stays gone.
@Suite struct WordingTests {
    /// Every value of the real catalog: key → language → texts (one per plural form).
    static let values: [String: [String: [String]]] = {
        let url = packageRoot().appendingPathComponent("Templates/Localizable.xcstrings")
        let document = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let strings = document["strings"] as! [String: [String: Any]]
        return strings.mapValues { entry in
            let localizations = entry["localizations"] as? [String: [String: Any]] ?? [:]
            return localizations.mapValues { localization in
                if let unit = localization["stringUnit"] as? [String: Any] { return [unit["value"] as! String] }
                let forms = (localization["variations"] as? [String: Any])?["plural"] as? [String: [String: Any]] ?? [:]
                return forms.values.compactMap { ($0["stringUnit"] as? [String: Any])?["value"] as? String }
            }
        }
    }()

    /// The translators' comments, key → comment.
    static let comments: [String: String] = {
        let url = packageRoot().appendingPathComponent("Templates/Localizable.xcstrings")
        let document = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (document["strings"] as! [String: [String: Any]]).compactMapValues { $0["comment"] as? String }
    }()

    static func texts(_ language: String) -> [(key: String, text: String)] {
        values.flatMap { key, byLanguage in (byLanguage[language] ?? []).map { (key, $0) } }
    }

    /// Polish declines names after prepositions ("przez Tomasza Wiśniewskiego"), which a
    /// placeholder cannot do: no name placeholder may follow one.
    /// A date, an email address or a customer ID does not decline, so those may follow one: the
    /// catalog's comment says what each placeholder is ("%2$@: date and time ...").
    @Test func noPolishPlaceholderFollowsAPreposition() throws {
        let preposition = try Regex(#"(?i)\b(przez|do|dla|od|z|ze|na|u|o|w|we|przy|po|za)\s+(%(\d+\$)?@)"#)
        for (key, text) in Self.texts("pl") {
            for match in text.matches(of: preposition) {
                let placeholder = String(text[match.range].split(separator: " ").last ?? "")
                let comment = Self.comments[key] ?? ""
                let described = comment.range(of: placeholder + ":").map { comment[$0.upperBound...].lowercased() } ?? ""
                let declines = !["date", "the address", "the new address", "customer id"].contains {
                    described.trimmingCharacters(in: .whitespaces).hasPrefix($0)
                }
                #expect(!declines, "\(key): \(text)")
            }
        }
    }

    /// "Moja rola: Techniczny" puts a masculine adjective under a feminine label.
    @Test func polishRoleNamesSayKontakt() {
        for key in ["role_admin", "role_tech", "role_billing"] {
            #expect(Self.values[key]?["pl"]?.first?.lowercased().hasPrefix("kontakt ") == true, "\(key)")
        }
    }

    /// The catalog addresses the Portuguese reader without "você", and punctuation is each
    /// language's, not the English colon after a thank-you.
    @Test func portugueseAndItalianPunctuationAndAddress() {
        for (key, text) in Self.texts("pt") {
            #expect(!text.lowercased().contains("você"), "\(key): \(text)")
            #expect(!text.contains("Obrigado:"), "\(key): \(text)")
        }
        for (key, text) in Self.texts("it") {
            #expect(!text.contains("Grazie:"), "\(key): \(text)")
        }
    }

    /// What expires is the request, in the glossary's word for it.
    @Test func theExpiryEmailsSayTheRequestExpired() {
        let word = ["en": "request", "pl": "zlecenie", "pt": "pedido", "it": "richiesta"]
        for key in ["email_expired_subject", "email_expired_intro"] {
            for (language, expected) in word {
                #expect(Self.values[key]?[language]?.first?.lowercased().contains(expected) == true, "\(key) in \(language)")
            }
        }
    }

    /// The glossary's "pedido" and "richiesta" mean a change request; the 400 page is about the
    /// address or the data sent.
    @Test func theBadRequestPageDoesNotSpeakOfAChangeRequest() {
        #expect(Self.values["error_400"]?["pt"]?.first?.contains("pedido") == false)
        #expect(Self.values["error_400"]?["it"]?.first?.contains("richiesta") == false)
    }

    /// One verb for "waiting" in Polish, on the same line of the request list.
    @Test func polishWaitsWithOneVerb() {
        for (key, text) in Self.texts("pl") {
            #expect(!text.contains("Oczekuje"), "\(key): \(text)")
        }
    }
}
