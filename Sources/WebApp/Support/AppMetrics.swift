import ContactsStore
import CoreMetrics
import Foundation
import HTTPCore
import Prometheus

/// What `/metrics` reports, in Prometheus' text format: requests by route and status, their
/// latency, requests in progress (the worker threads busy), responses that were a throttle
/// (429) or the database being unavailable (503), and the outbox at the moment of the scrape.
///
/// Recorded through swift-metrics' types with swift-prometheus' factory, handed over
/// explicitly rather than bootstrapped process-wide, so that every Application (tests make
/// many) has its own registry.
final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Also handed to the store, which times its transactions with it (database time).
    let factory: PrometheusMetricsFactory
    private let inProgress: Meter

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // From a static page to a slow bulk change: 1 ms to 10 s.
        factory.defaultDurationHistogramBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000]
            .map { Duration.milliseconds($0) }
        self.factory = factory
        inProgress = Meter(label: "contacts_requests_in_progress", factory: factory)
    }

    /// Around one request: in progress while `body` runs, then counted by route and status.
    func measure(route: String, _ body: () -> HTTPResponse) -> HTTPResponse {
        inProgress.increment()
        let start = ContinuousClock.now
        let response = body()
        let elapsed = ContinuousClock.now - start
        inProgress.decrement()
        let status = String(response.status.code)
        Counter(label: "contacts_requests_total", dimensions: [("route", route), ("status", status)], factory: factory)
            .increment()
        Timer(label: "contacts_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if response.status.code == 429 || response.status.code == 503 {
            let kind = response.status.code == 429 ? "throttled" : "unavailable"
            Counter(label: "contacts_refusals_total", dimensions: [("route", route), ("kind", kind)], factory: factory)
                .increment()
        }
        return response
    }

    /// The registry's text, with the outbox read now.
    func exposition(database: any StoreEngine, now: Date) throws -> [UInt8] {
        let outbox = try database.outboxHealth(now: now)
        registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "contacts", metricName: "outbox_pending", unitName: "emails", helpText: "Emails waiting for delivery"))
            .set(to: Double(outbox.pending))
        registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "contacts", metricName: "outbox_oldest_pending_age", unitName: "seconds",
            helpText: "How long the oldest undelivered email has waited"))
            .set(to: outbox.oldestPendingAge ?? 0)
        return registry.emitToBuffer()
    }
}
