import Foundation
import Localization

extension Application {
    /// A time on a page: in the reader's zone (its account's, else its language's), named by
    /// its offset (SPEC "Times").
    func dateTime(_ date: Date, _ context: RequestContext) -> String {
        LocalFormat.zonedDateTime(date, context.language, timeZone: readerTimeZone(context))
    }

    func readerTimeZone(_ context: RequestContext) -> TimeZone {
        let identifier = context.visitor.account?.timeZone ?? context.language.defaultTimeZone
        return TimeZone(identifier: identifier) ?? configuration.displayTimeZone
    }
}
