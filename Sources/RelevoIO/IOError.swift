import Glibc

/// A system call that failed: the call's name and the `errno` it left.
///
/// Would-block is not an error; calls that can return it say so with ``IOResult``.
public struct IOError: Error, CustomStringConvertible, Sendable {
    /// The `errno` value the call set.
    public let errnoCode: Int32

    /// The name of the failed call, e.g. `"connect"`.
    public let call: StaticString

    /// Creates an error for `call` from `errnoCode`.
    public init(errnoCode: Int32, call: StaticString) {
        self.errnoCode = errnoCode
        self.call = call
    }

    /// `strerror` of ``errnoCode``.
    public var reason: String {
        String(cString: strerror(errnoCode))
    }

    public var description: String {
        "\(call): \(reason) (errno \(errnoCode))"
    }
}

/// What a non-blocking call did: moved `count` bytes (or accepted a descriptor), or would have blocked.
public enum IOResult<Value: Sendable>: Sendable {
    case processed(Value)
    case wouldBlock
}
