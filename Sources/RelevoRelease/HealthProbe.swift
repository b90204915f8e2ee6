import Glibc
import RelevoIO

/// One health probe: `GET PATH` to a backend, passing on any status below 500.
///
/// Blocking, with time limits: run it on a gate thread, never on an event loop.
public enum HealthProbe {
    /// What a probe found.
    public struct Outcome: Sendable, Equatable {
        /// Whether the backend passed.
        public var passed: Bool

        /// The status it answered, or 0 if it did not answer.
        public var status: Int

        /// What went wrong, or `"ok"`.
        public var detail: String
    }

    /// Probes `address` with `GET path`, giving up after `timeout` milliseconds.
    public static func probe(_ address: SocketAddress, path: String, timeout: Int64 = 2_000) -> Outcome {
        let descriptor: Int32
        do {
            descriptor = try Syscall.socket(family: address.family)
        } catch {
            return Outcome(passed: false, status: 0, detail: error.description)
        }
        defer { Syscall.close(descriptor: descriptor) }

        let deadline = MonotonicClock.coarseMilliseconds() + timeout
        if let failure = connect(descriptor, to: address, deadline: deadline) {
            return Outcome(passed: false, status: 0, detail: failure)
        }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(address)\r\nUser-Agent: relevo-gate\r\nConnection: close\r\n\r\n"
        guard send(descriptor, Array(request.utf8), deadline: deadline) else {
            return Outcome(passed: false, status: 0, detail: "could not send the probe")
        }
        guard let status = readStatus(descriptor, deadline: deadline) else {
            return Outcome(passed: false, status: 0, detail: "no valid answer within \(timeout) ms")
        }
        return Outcome(passed: status < 500, status: status, detail: status < 500 ? "ok" : "answered \(status)")
    }

    private static func connect(_ descriptor: Int32, to address: SocketAddress, deadline: Int64) -> String? {
        do {
            if case .processed = try Syscall.connect(descriptor: descriptor, to: address) {
                return nil
            }
        } catch {
            return "connect: \(error.reason)"
        }
        guard wait(descriptor, for: Int16(POLLOUT), deadline: deadline) else { return "connect timed out" }
        let code = Syscall.socketError(descriptor: descriptor)
        return code == 0 ? nil : "connect: \(String(cString: strerror(code)))"
    }

    private static func send(_ descriptor: Int32, _ bytes: [UInt8], deadline: Int64) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                try? Syscall.write(descriptor: descriptor, from: UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            switch result {
            case .processed(let count)?:
                offset += count
            case .wouldBlock?:
                guard wait(descriptor, for: Int16(POLLOUT), deadline: deadline) else { return false }
            case nil:
                return false
            }
        }
        return true
    }

    /// Reads until the status line is complete and returns its code.
    private static func readStatus(_ descriptor: Int32, deadline: Int64) -> Int? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while received.count < 4096 {
            if let end = received.firstIndex(of: 0x0A) {
                let line = String(decoding: received[..<end], as: UTF8.self)
                let parts = line.split(separator: " ")
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]),
                    (100...599).contains(code)
                else { return nil }
                return code
            }
            let result = chunk.withUnsafeMutableBytes { try? Syscall.read(descriptor: descriptor, into: $0) }
            switch result {
            case .processed(let count)? where count > 0:
                received.append(contentsOf: chunk[..<count])
            case .wouldBlock?:
                guard wait(descriptor, for: Int16(POLLIN), deadline: deadline) else { return nil }
            default:
                return nil
            }
        }
        return nil
    }

    private static func wait(_ descriptor: Int32, for events: Int16, deadline: Int64) -> Bool {
        let remaining = deadline - MonotonicClock.coarseMilliseconds()
        guard remaining > 0 else { return false }
        var request = pollfd(fd: descriptor, events: events, revents: 0)
        return poll(&request, 1, Int32(clamping: remaining)) > 0
    }
}
