/// The `store` directive of the `session` block: where the session table is kept.
public enum SessionStoreConf: Sendable, Equatable {
    /// `store local;`, the default: in this relevo's memory and state directory, shared with no other instance.
    case local

    /// `store redis HOST:PORT;`: in a Redis server shared by several relevo instances. `host` is a numeric
    /// IPv4 address, an IPv6 address without brackets, or a DNS name, as written; `port` is 1 to 65535.
    case redis(host: String, port: UInt16)
}
