import ContactsDomain
import Testing
@testable import Mailer

/// A name the store accepts must be mailable, and a character the Mailer refuses in a subject
/// must be refused in a name first (ContactsDomain's DisplayText is the one rule for both).
@Suite struct NameRuleAgreementTests {
    static let samples: [String] = [
        "Łucja Wiśniewska", "João Conceição", "Niccolò", "example.pl", "Anna\u{00A0}Nowak", "日本語 🙂",
        "line\nbreak", "tab\there", "del\u{7F}", "next\u{85}line", "line\u{2028}separator", "paragraph\u{2029}",
        "\u{202E}lp.elpmaxe", "\u{2066}isolate\u{2069}", "zero\u{200B}width", "\u{FEFF}bom", "soft\u{00AD}hyphen",
        "private\u{E000}use",
    ]

    @Test(arguments: samples)
    func theMailerAcceptsInASubjectExactlyTheNamesTheStoreAccepts(_ name: String) {
        let stored = DisplayText.isValid(name, maximumLength: DisplayText.maximumServiceNameLength)
        let mailed = (try? sampleMessage(subject: "Zmiana kontaktu: \(name)")) != nil
        #expect(stored == mailed, "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
    }
}
