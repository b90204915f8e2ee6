import Foundation

/// An HTTP server that stands in for the orchestrator: it records every `POST` relevo's webhook hook sends.
///
/// Answers 200 unless a test sets ``answerStatus`` (to make relevo retry). Thread-safe; ``stop()`` must be called.
final class WebhookReceiver: Sendable {
    /// One POST as it arrived.
    struct Delivery: Sendable {
        /// The request head, byte for byte.
        let head: HTTPHead

        /// The body's bytes.
        let body: [UInt8]

        /// When the body had arrived whole.
        let arrival: ContinuousClock.Instant

        /// The status the receiver answered with.
        let answeredStatus: Int

        /// The value of `X-Relevo-Event-Id`, or `nil`.
        var eventID: String? {
            head.value("X-Relevo-Event-Id")
        }

        /// The body, decoded as a JSON object (nil when it is not one).
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        }

        /// The body's `version` member, or `nil`.
        var version: String? {
            json?["version"] as? String
        }
    }

    /// The path relevo's conf posts to.
    static let path = "/drained"

    /// Every POST received, in order of arrival.
    let deliveries = Monitor([Delivery]())

    /// The status the receiver answers with from now on.
    let answerStatus = Monitor(200)

    private let server: TestBackend

    /// Starts listening on 127.0.0.1 with a kernel-chosen port.
    init() throws {
        let deliveries = deliveries
        let answerStatus = answerStatus
        server = try TestBackend { exchange in
            let body = try exchange.readBody()
            let arrival = ContinuousClock.now
            let status = answerStatus.value
            try exchange.respond(status: status, body: status == 200 ? "ok" : "not now")
            let delivery = Delivery(
                head: exchange.request, body: body.bytes, arrival: arrival, answeredStatus: status)
            deliveries.withLock { $0.append(delivery) }
        }
    }

    /// The URL relevo's `on_drained webhook` directive names.
    var url: String {
        "http://\(server.address)\(Self.path)"
    }

    /// The deliveries answered with 200 that concern `version`.
    func accepted(for version: String) -> [Delivery] {
        deliveries.value.filter { $0.answeredStatus == 200 && $0.version == version }
    }

    /// The distinct event ids delivered for `version` (accepted or not).
    func eventIDs(for version: String) -> Set<String> {
        Set(deliveries.value.filter { $0.version == version }.compactMap(\.eventID))
    }

    /// Waits at most `timeout` until a delivery for `version` was accepted; returns the first, or `nil`.
    func waitForAccepted(_ version: String, timeout: Duration) -> Delivery? {
        deliveries.wait(timeout: timeout) { list in
            list.contains { $0.answeredStatus == 200 && $0.version == version }
        }
        return accepted(for: version).first
    }

    /// Stops the server.
    func stop() {
        server.stop()
    }
}
