import Glibc

/// An IPv4 or IPv6 address and port, as the kernel takes it.
public struct SocketAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Large enough for either family: an IPv4 address uses its first 16 bytes.
    var storage = sockaddr_in6()

    /// An empty address, to be filled in by the kernel.
    public init() {}

    /// Parses a numeric `host:port`: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:0`.
    ///
    /// Returns nil if the host is not a numeric address or the port is not 0...65535.
    public init?(_ text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                text.index(after: close) < text.endIndex,
                text[text.index(after: close)] == ":"
            else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            if !host.contains(":") { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0 >= "0" && $0 <= "9" }),
            let port = Int(portText), port <= 65535
        else { return nil }
        self.init(host: String(host), port: UInt16(port))
    }

    /// A numeric IPv4 or IPv6 host and a port; nil if `host` is not a numeric address.
    public init?(host: String, port: UInt16) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = v4
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: &address) { target.copyMemory(from: $0) }
            }
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: &address) { target.copyMemory(from: $0) }
            }
        } else {
            return nil
        }
    }

    /// `AF_INET` or `AF_INET6`.
    public var family: Int32 {
        Int32(storage.sin6_family)
    }

    /// The size of the address structure for the family.
    public var length: socklen_t {
        socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
    }

    /// The port, in host byte order.
    public var port: UInt16 {
        get {
            withUnsafeBytes(of: storage) { raw in
                UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
            }
        }
        set {
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.storeBytes(of: newValue.bigEndian, toByteOffset: 2, as: UInt16.self)
            }
        }
    }

    /// Whether the address is in 127.0.0.0/8 or is ::1.
    public var isLoopback: Bool {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET {
                return raw[4] == 127
            }
            if family == AF_INET6 {
                return (8..<23).allSatisfy { raw[$0] == 0 } && raw[23] == 1
            }
            return false
        }
    }

    /// The host alone, without brackets or port: `127.0.0.1`, `::1`.
    public var host: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { raw in
            let offset = family == AF_INET6 ? 8 : 4
            _ = inet_ntop(family, raw.baseAddress! + offset, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `127.0.0.1:8080` or `[::1]:8080`.
    public var description: String {
        family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Appends the host as text (``host``) to `bytes`; IPv4 without going through `inet_ntop`.
    public func appendHost(to bytes: inout [UInt8]) {
        guard family == AF_INET else {
            bytes.append(contentsOf: host.utf8)
            return
        }
        withUnsafeBytes(of: storage) { raw in
            for index in 4..<8 {
                if index > 4 {
                    bytes.append(0x2E)
                }
                let octet = raw[index]
                if octet >= 100 {
                    bytes.append(0x30 + octet / 100)
                }
                if octet >= 10 {
                    bytes.append(0x30 + octet / 10 % 10)
                }
                bytes.append(0x30 + octet % 10)
            }
        }
    }

    /// How many leading bytes of the storage identify the address: family, port and address.
    private var significantCount: Int {
        family == AF_INET6 ? 24 : 8
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        guard lhs.family == rhs.family else { return false }
        return withUnsafeBytes(of: lhs.storage) { left in
            withUnsafeBytes(of: rhs.storage) { right in
                memcmp(left.baseAddress!, right.baseAddress!, lhs.significantCount) == 0
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: storage) {
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[..<significantCount]))
        }
    }
}
