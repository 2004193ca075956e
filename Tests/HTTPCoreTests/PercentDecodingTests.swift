import HTTPCore
import Testing

@Suite struct PercentDecodingTests {
    @Test func decodesEscapesAndUTF8() throws {
        #expect(try PercentDecoding.decode("Zg%C5%82osz%20to", plusIsSpace: false) == "Zgłosz to")
        #expect(try PercentDecoding.decode("a+b", plusIsSpace: true) == "a b")
        #expect(try PercentDecoding.decode("a+b", plusIsSpace: false) == "a+b")
    }

    @Test(arguments: ["%", "%4", "%zz", "abc%", "%G1"])
    func rejectsBrokenEscapes(_ input: String) {
        #expect(throws: PercentDecoding.Failure.brokenEscape) { try PercentDecoding.decode(input, plusIsSpace: true) }
    }

    @Test func rejectsInvalidUTF8AndNul() {
        #expect(throws: PercentDecoding.Failure.invalidUTF8) { try PercentDecoding.decode("%C3%28", plusIsSpace: true) }
        #expect(throws: PercentDecoding.Failure.invalidUTF8) { try PercentDecoding.decode("%FF", plusIsSpace: true) }
        #expect(throws: PercentDecoding.Failure.nulByte) { try PercentDecoding.decode("a%00b", plusIsSpace: true) }
    }

    @Test func encodingRoundTrips() throws {
        let text = "zażółć & gęślą=jaźń /?#+"
        let encoded = PercentDecoding.encode(text)
        #expect(!encoded.contains(" ") && !encoded.contains("&") && !encoded.contains("="))
        #expect(try PercentDecoding.decode(encoded, plusIsSpace: true) == text)
    }
}

@Suite struct FormDataTests {
    @Test func parsesPairsInOrderAndKeepsTheFirstOfDuplicates() throws {
        let form = try FormData(parsing: "q=a%20b&role=admin&q=second&flag&=empty")
        #expect(form.value("q") == "a b")
        #expect(form.values("q") == ["a b", "second"])
        #expect(form.value("role") == "admin")
        #expect(form.value("flag") == "")
        #expect(form.value("missing") == nil)
    }

    @Test func refusesBadEncoding() {
        #expect(throws: FormData.Failure.badEncoding) { try FormData(parsing: "a=%ZZ") }
        #expect(throws: FormData.Failure.badEncoding) { try FormData(parsing: "a=%00") }
    }

    @Test func refusesTooManyFields() {
        let many = (0...FormData.maximumPairs).map { "f\($0)=1" }.joined(separator: "&")
        #expect(throws: FormData.Failure.tooManyFields) { try FormData(parsing: many) }
        let enough = (1...FormData.maximumPairs).map { "f\($0)=1" }.joined(separator: "&")
        #expect(throws: Never.self) { try FormData(parsing: enough) }
    }

    @Test func refusesHugeFields() {
        let huge = "a=" + String(repeating: "x", count: FormData.maximumFieldBytes + 1)
        #expect(throws: FormData.Failure.fieldTooLarge) { try FormData(parsing: huge) }
    }

    @Test func encodesBackToAQueryString() throws {
        var form = FormData()
        form.set("q", "a&b c")
        form.set("role", "tech")
        form.set("role", nil)
        #expect(form.encoded == "q=a%26b%20c")
        #expect(try FormData(parsing: form.encoded).value("q") == "a&b c")
    }
}

@Suite struct CookieTests {
    @Test func parsesCookiesLeniently() {
        let cookies = RequestCookies(header: "a=1; b=\"two\"; broken; c=x y; a=second; =nameless")
        #expect(cookies["a"] == "1")
        #expect(cookies["b"] == "two")
        #expect(cookies["c"] == nil)
        #expect(cookies["broken"] == nil)
    }

    @Test func ignoresAbsurdlyLargeHeaders() {
        let header = "a=1; " + String(repeating: "x", count: RequestCookies.maximumHeaderBytes)
        #expect(RequestCookies(header: header)["a"] == nil)
    }

    @Test func setCookieCarriesItsAttributes() {
        let cookie = SetCookie(name: "s", value: "v", maxAge: 60, secure: true, sameSite: .strict)
        #expect(cookie.headerValue == "s=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict")
        #expect(SetCookie.expired(name: "s", secure: false).headerValue == "s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
    }
}

@Suite struct HTTPRequestTests {
    @Test func splitsTargetIntoPathAndQuery() {
        let request = HTTPRequest(method: "GET", target: "/contacts?role=admin&q=a?b")
        #expect(request.rawPath == "/contacts")
        #expect(request.rawQuery == "role=admin&q=a?b")
        #expect(HTTPRequest(method: "GET", target: "/x").rawQuery == "")
    }

    @Test func headerLookupIgnoresCase() {
        let request = HTTPRequest(method: "GET", target: "/", headers: ["accept-language": "pl"])
        #expect(request.header("Accept-Language") == "pl")
    }
}

@Suite struct CookieSplittingTests {
    @Test func aCombiningMarkAfterASeparatorDoesNotGlueTwoPairsTogether() {
        // As Characters, ";" and the mark after it are one grapheme, which would make "a" one
        // long invalid value.
        let cookies = RequestCookies(header: "a=1;\u{0301}b=2; c=3")
        #expect(cookies["a"] == "1")
        #expect(cookies["c"] == "3")
    }
}

@Suite struct CookieTrimmingTests {
    /// Found by the FuzzCookies target: a space followed by a combining mark is one Character.
    @Test func namesAndValuesAreTrimmedAsBytes() {
        let cookies = RequestCookies(header: "a=1; \u{05C7}x=2")
        #expect(cookies["\u{05C7}x"] == "2")
        #expect(cookies.values.keys.allSatisfy { !$0.utf8.starts(with: [0x20]) })
    }
}
