import ArgumentParser
import ContactsDomain
import ContactsStore
import Credentials
import Foundation

/// Makes a personal API token, as the profile page does but without the password: for operators
/// and tests. Only its digest is stored; the token is printed once, alone on standard output, so
/// that `TOKEN=$(contacts-admin create-token ...)` works.
struct CreateToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a personal API token for an account and print it (shown once, stored hashed).")

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Customer ID of the account.", transform: Parse.customerID)
    var id: CustomerID
    @Option(help: "The token's name: where it is used.")
    var name: String
    @Option(help: "read-only or read-write.", transform: Parse.tokenScope)
    var scope: APITokenScope
    @Option(help: "Days until it expires, 1 to \(APITokenRules.maximumDays) (default: \(APITokenRules.defaultDays)).")
    var days: Int?

    func run() throws {
        let database = try options.openEngine()
        let token = APITokenSecret.generate()
        let info: APITokenInfo
        do {
            info = try database.createAPIToken(
                for: id, name: name, scope: scope, days: days, digest: Secret.digest(token), now: Date())
        } catch let error as StoreError {
            throw error.explained(account: id)
        } catch let problem as APITokenRules.Problem {
            switch problem {
            case .invalidName: throw ValidationError("--name must be 1 to \(APITokenRules.maximumNameLength) characters on one line.")
            case .invalidLifetime: throw ValidationError("--days must be from 1 to \(APITokenRules.maximumDays).")
            case .tooMany: throw OperatorError("\(id) holds \(APITokenRules.maximumPerAccount) usable tokens already; revoke one first.")
            }
        }
        print(token)
        FileHandle.standardError.write(Data(
            "Token \(info.id) of \(id) (\(info.name), \(scope.rawValue)) expires \(ISO8601DateFormatter().string(from: info.expiresAt)).\n".utf8))
    }
}

extension Parse {
    static func tokenScope(_ text: String) throws -> APITokenScope {
        guard let scope = APITokenScope(rawValue: text) else { throw ValidationError("--scope must be read-only or read-write.") }
        return scope
    }
}
