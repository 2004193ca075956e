import Dispatch
import GRDB
import Synchronization

/// Concurrent writes share one durable commit (issue: one fsync per request capped writes at a
/// few hundred a second).
///
/// Each write still runs alone on the pool's one writer connection, in its own savepoint inside
/// one transaction that holds every write waiting at that moment; the transaction commits once
/// (one fsync with `synchronous = FULL`), and only then is each caller answered. A write that
/// throws rolls back to its savepoint, and only its caller sees the error; the others commit. If
/// the commit itself fails, every write of the batch gets the error: nothing is acknowledged that
/// is not on disk.
///
/// Leader and followers, no thread of its own: the first caller to find no batch running leads
/// it; the others wait. When the leader's batch is done and more writes have queued meanwhile, it
/// hands the lead to the first of them, so no caller waits for more than the batch before its own.
public final class GroupCommit: Sendable {
    /// Writes one batch holds at most: a batch must not keep its callers waiting long.
    public static let defaultMaximumBatch = 64

    private let pool: DatabasePool
    private let maximumBatch: Int
    private let state = Mutex(State())

    private struct State {
        var queue: [Job] = []
        var leading = false
        var batches = 0
        var writes = 0
    }

    /// How many commits have carried how many writes, since the start.
    public var counts: (batches: Int, writes: Int) {
        state.withLock { ($0.batches, $0.writes) }
    }

    public init(pool: DatabasePool, maximumBatch: Int = GroupCommit.defaultMaximumBatch) {
        self.pool = pool
        self.maximumBatch = maximumBatch
    }

    /// Runs `body` in the next commit and returns its value once that commit is durable.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        // The caller waits here until its job has run: the closure never outlives this call.
        try withoutActuallyEscaping(body) { body in
            let job = Job()
            let box = ResultBox<T>()
            job.run = { db in
                do { box.result = .success(try body(db)) } catch { box.result = .failure(error) }
                return box.succeeded
            }
            job.fail = { error in box.result = .failure(error) }
            let lead = state.withLock { state -> Bool in
                state.queue.append(job)
                guard !state.leading else { return false }
                state.leading = true
                job.leads = true
                return true
            }
            if !lead {
                // Woken either with the result, or to lead the next batch.
                job.signal.wait()
            }
            if job.leads {
                runBatch(led: job)
            }
            guard let result = box.result else { preconditionFailure("a write answered before it ran") }
            return try result.get()
        }
    }

    /// Runs the queued writes (the leader's among them) as one commit, answers them, and hands
    /// the lead to the first write that queued meanwhile.
    private func runBatch(led leader: Job) {
        let batch = state.withLock { state -> [Job] in
            let count = min(state.queue.count, maximumBatch)
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
        commit(batch)
        // Each write's closure is its caller's, borrowed for the call: let go of it before the
        // caller returns.
        for job in batch { job.run = { _ in false } }
        let next = state.withLock { state -> Job? in
            state.batches += 1
            state.writes += batch.count
            guard let next = state.queue.first else {
                state.leading = false
                return nil
            }
            next.leads = true
            return next
        }
        for job in batch where job !== leader { job.signal.signal() }
        next?.signal.signal()
    }

    private func commit(_ batch: [Job]) {
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for job in batch {
                        // A savepoint per write: a failing one is undone alone.
                        try db.inSavepoint { job.run(db) ? .commit : .rollback }
                    }
                    return .commit
                }
            }
        } catch {
            for job in batch { job.fail(error) }
        }
    }
}

/// One caller's write while it waits for its commit.
private final class Job: @unchecked Sendable {
    // Set before the job is queued, read by the leader: the queue's lock orders them, and the
    // semaphore orders the result's write before its caller reads it.
    var run: (Database) -> Bool = { _ in false }
    var fail: (any Error) -> Void = { _ in }
    /// Set under the queue's lock before `signal` wakes the job.
    var leads = false
    let signal = DispatchSemaphore(value: 0)
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
    var succeeded: Bool {
        if case .success = result { return true }
        return false
    }
}
