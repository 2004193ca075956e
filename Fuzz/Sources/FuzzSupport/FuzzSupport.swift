#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops the fuzzer with a message when a property does not hold; libFuzzer then saves the input
/// that broke it as a crash artifact, like any other crash.
public func require(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() {
        let text = "property failed at \(file):\(line): \(message())\n"
        _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        abort()
    }
}

/// The fuzzer's input as bytes.
public func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// The input read as text the way the FastCGI worker reads parameters: invalid UTF-8 repaired.
public func inputText(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

public func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

public func isASCIILetter(_ byte: UInt8) -> Bool {
    (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
}

public func isASCIIDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

/// Drops leading and trailing bytes that match `predicate`.
public func trimming<C: BidirectionalCollection>(_ bytes: C, where predicate: (C.Element) -> Bool) -> C.SubSequence {
    guard let start = bytes.firstIndex(where: { !predicate($0) }) else { return bytes[bytes.endIndex...] }
    let end = bytes.lastIndex(where: { !predicate($0) })!
    return bytes[start...end]
}

/// Monotonic milliseconds, for bounds on how long one call may take.
public func milliseconds<T>(_ body: () -> T) -> (T, Double) {
    let clock = ContinuousClock()
    var result: T?
    let elapsed = clock.measure { result = body() }
    let (seconds, attoseconds) = elapsed.components
    return (result!, Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}
