import ContactsDomain
import Testing

/// The one rule for display and service names (store, contacts-admin and the Mailer's headers).
@Suite struct DisplayTextTests {
    static let good: [String] = [
        "Łucja Wiśniewska", "João Conceição", "Niccolò D'Alessandro", "example.pl", "vps-1a2b3c.vps.example",
        "Zażółć gęślą jaźń", "O'Brien & Filhos, Lda.", "A", "Anna\u{00A0}Nowak", "e\u{0301}", "日本語", "Ünal 🙂",
        String(repeating: "x", count: 200),
    ]

    static let bad: [(String, DisplayText.Problem)] = [
        ("", .empty),
        (" leading", .surroundingSpace),
        ("trailing ", .surroundingSpace),
        ("\u{00A0}nbsp", .surroundingSpace),
        ("line\nbreak", .forbiddenCharacter("\n")),
        ("carriage\rreturn", .forbiddenCharacter("\r")),
        ("tab\there", .forbiddenCharacter("\t")),
        ("nul\u{0}", .forbiddenCharacter("\u{0}")),
        ("del\u{7F}", .forbiddenCharacter("\u{7F}")),
        ("c1\u{85}next line", .forbiddenCharacter("\u{85}")),
        ("line\u{2028}separator", .forbiddenCharacter("\u{2028}")),
        ("paragraph\u{2029}separator", .forbiddenCharacter("\u{2029}")),
        ("bidi \u{202A}LRE", .forbiddenCharacter("\u{202A}")),
        ("bidi \u{202B}RLE", .forbiddenCharacter("\u{202B}")),
        ("bidi \u{202C}PDF", .forbiddenCharacter("\u{202C}")),
        ("bidi \u{202D}LRO", .forbiddenCharacter("\u{202D}")),
        ("lp.elpmaxe\u{202E}", .forbiddenCharacter("\u{202E}")),
        ("isolate \u{2066}LRI", .forbiddenCharacter("\u{2066}")),
        ("isolate \u{2067}RLI", .forbiddenCharacter("\u{2067}")),
        ("isolate \u{2068}FSI", .forbiddenCharacter("\u{2068}")),
        ("isolate \u{2069}PDI", .forbiddenCharacter("\u{2069}")),
        ("zero\u{200B}width", .forbiddenCharacter("\u{200B}")),
        ("left\u{200E}mark", .forbiddenCharacter("\u{200E}")),
        ("\u{FEFF}bom", .forbiddenCharacter("\u{FEFF}")),
        ("soft\u{00AD}hyphen", .forbiddenCharacter("\u{00AD}")),
        ("private\u{E000}use", .forbiddenCharacter("\u{E000}")),
        ("non\u{FFFF}character", .forbiddenCharacter("\u{FFFF}")),
        (String(repeating: "x", count: 201), .tooLong(maximum: 200)),
    ]

    @Test(arguments: good)
    func goodNamesPass(_ name: String) throws {
        try DisplayText.check(name, maximumLength: DisplayText.maximumDisplayNameLength)
        #expect(DisplayText.isValid(name, maximumLength: DisplayText.maximumDisplayNameLength))
    }

    @Test(arguments: bad)
    func badNamesAreRefusedWithTheReason(_ name: String, _ problem: DisplayText.Problem) {
        #expect(throws: problem) { try DisplayText.check(name, maximumLength: DisplayText.maximumDisplayNameLength) }
        #expect(!DisplayText.isValid(name, maximumLength: DisplayText.maximumDisplayNameLength))
    }

    @Test func lengthIsCountedInCodePoints() {
        // "e" + a combining acute accent: one Character, two code points (as SQLite counts).
        let name = String(repeating: "e\u{0301}", count: 100)
        #expect(DisplayText.isValid(name, maximumLength: 200))
        #expect(!DisplayText.isValid(name + "e", maximumLength: 200))
    }

    @Test func theProblemNamesTheCharacterForTheOperator() {
        #expect("\(DisplayText.Problem.forbiddenCharacter("\u{2028}"))".contains("U+2028"))
        #expect("\(DisplayText.Problem.forbiddenCharacter("\n"))".contains("U+000A"))
    }
}
