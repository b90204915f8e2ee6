import Glibc
import RelevoConf
import RelevoIO
import RelevoProxy

/// Turns a validated conf into what the proxy runs: backend names resolved to addresses,
/// `workers auto` to the number of cores.
enum ProxyPlan {
    /// Resolves every backend (blocking DNS, before any loop runs). Throws ``ConfErrors`` naming the
    /// backend's FILE:LINE:COL when a name does not resolve.
    static func make(from conf: Conf) throws(ConfErrors) -> ProxyConfiguration {
        var errors: [ConfError] = []
        var versions: [VersionPlan] = []
        for version in conf.versions {
            var backends: [BackendPlan] = []
            for backend in version.backends {
                if let address = resolve(host: backend.host, port: backend.port) {
                    backends.append(BackendPlan(address: address, name: backend.text))
                } else {
                    errors.append(
                        ConfError(
                            location: backend.location, message: "backend host '\(backend.host)' does not resolve"))
                }
            }
            versions.append(VersionPlan(name: version.name, backends: backends))
        }
        guard errors.isEmpty else { throw ConfErrors(errors: errors) }

        var timeouts = Timeouts()
        timeouts.connect = conf.timeouts.connect
        timeouts.requestHeader = conf.timeouts.requestHeader
        timeouts.upstreamRead = conf.timeouts.upstreamRead
        timeouts.clientIdle = conf.timeouts.clientIdle
        timeouts.upstreamIdle = conf.timeouts.upstreamIdle
        timeouts.shutdown = conf.timeouts.shutdown
        var limits = Limits()
        limits.requestHeaderSize = conf.limits.requestHeaderSize
        limits.upstreamIdleConnections = conf.limits.upstreamIdleConnections
        return ProxyConfiguration(
            listeners: conf.listeners.map { ListenerPlan(address: $0.address) },
            workers: conf.workers ?? coreCount(),
            accessLogPath: conf.accessLogPath,
            timeouts: timeouts,
            limits: limits,
            versions: versions)
    }

    /// The cores this process may run on.
    static func coreCount() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// A numeric address as is, or the first address a name resolves to.
    static func resolve(host: String, port: UInt16) -> SocketAddress? {
        if let address = SocketAddress(host: host, port: port) {
            return address
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard
            getnameinfo(
                first.pointee.ai_addr, first.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0,
                NI_NUMERICHOST) == 0
        else { return nil }
        let numeric = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return SocketAddress(host: numeric, port: port)
    }
}
