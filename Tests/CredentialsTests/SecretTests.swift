import Testing
@testable import Credentials

@Suite struct SecretTests {
    @Test func generatedSecretsAreURLSafeAnd43Characters() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0..<100 {
            let secret = Secret.generate()
            #expect(secret.count == 43)
            #expect(secret.allSatisfy { alphabet.contains($0) })
        }
    }

    @Test func generatedSecretsAreUnique() {
        let secrets = Set((0..<1000).map { _ in Secret.generate() })
        #expect(secrets.count == 1000)
    }

    @Test func digestIsSHA256Hex() {
        // Known vectors from FIPS 180-2
        #expect(Secret.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Secret.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hmacMatchesRFC4231Vector() {
        // RFC 4231 test case 2
        #expect(Secret.hmac("what do ya want for nothing?", key: "Jefe")
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEquals() {
        #expect(Secret.constantTimeEquals("", ""))
        #expect(Secret.constantTimeEquals("abc", "abc"))
        #expect(!Secret.constantTimeEquals("abc", "abd"))
        #expect(!Secret.constantTimeEquals("abc", "ab"))
        #expect(!Secret.constantTimeEquals("ab", "abc"))
        #expect(!Secret.constantTimeEquals("", "a"))
        // Same bytes after a length wrap-around must still differ
        #expect(!Secret.constantTimeEquals(String(repeating: "a", count: 256), ""))
    }

    @Test func base64URLEncodingOfKnownBytes() {
        #expect(Secret.base64URLEncoded([]) == "")
        #expect(Secret.base64URLEncoded(Array("f".utf8)) == "Zg")
        #expect(Secret.base64URLEncoded(Array("fo".utf8)) == "Zm8")
        #expect(Secret.base64URLEncoded(Array("foo".utf8)) == "Zm9v")
        #expect(Secret.base64URLEncoded([0xFB, 0xFF]) == "-_8")
    }
}
