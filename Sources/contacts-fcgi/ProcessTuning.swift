#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings of the server, made once before the workers start.
enum ProcessTuning {
    /// At most two glibc malloc arenas for the process. By default each thread that allocates
    /// gets its own arena (up to eight per core) and each keeps the memory it freed: with the
    /// workers rendering 40 KB pages, the peak resident memory under the benchmark was 97 MiB;
    /// with two arenas 75 MiB, at the same throughput (docs/BENCHMARKS.md).
    static func limitMallocArenas() {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not include: looked
        // up by name, called with the C convention. M_ARENA_MAX is -8 in <malloc.h>.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let symbol = dlsym(nil, "mallopt") {
            _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 2)
        }
        #endif
    }
}
