import COpenSSL

/// HMAC-SHA256 (RFC 2104) under one key, over OpenSSL's `EVP_MAC`.
///
/// The key is set once, when the instance is made; each ``authenticate(_:)`` re-initialises the
/// keyed context and writes the tag into a value on the stack. OpenSSL 3.0 still allocates its
/// digest state on each re-initialisation (two small blocks per tag, about 1 µs in all); the
/// one-shot `HMAC()` costs thirteen allocations and five times as long.
///
/// Not thread-safe and not `Sendable`: one instance per event loop (or per thread), made with
/// ``AffinitySecret/makeMAC()``. The context is freed with the instance.
public final class HMACSHA256 {
    /// A tag: 32 bytes held inline, in order (element 0 is the first byte).
    public typealias Tag = SIMD32<UInt8>

    /// The bytes in a tag.
    public static let tagByteCount = 32

    /// The keyed OpenSSL context (`EVP_MAC_CTX *`), owned by this instance.
    private let context: OpaquePointer

    /// Creates an authenticator keyed with `key`, which may have any length (RFC 2104 hashes a key
    /// over 64 bytes). Traps if OpenSSL has no HMAC or SHA-256, which means it is broken.
    public init(key: UnsafeRawBufferPointer) {
        guard let algorithm = EVP_MAC_fetch(nil, "HMAC", nil) else {
            preconditionFailure("OpenSSL has no HMAC implementation (EVP_MAC_fetch failed)")
        }
        defer { EVP_MAC_free(algorithm) }

        guard let context = EVP_MAC_CTX_new(algorithm) else {
            preconditionFailure("OpenSSL could not make an HMAC context (EVP_MAC_CTX_new failed)")
        }
        self.context = context

        precondition(Self.setKey(key, of: context), "OpenSSL refused the HMAC-SHA256 key (EVP_MAC_init failed)")
    }

    deinit {
        EVP_MAC_CTX_free(context)
    }

    /// The tag of `message` under this instance's key.
    public func authenticate(_ message: UnsafeRawBufferPointer) -> Tag {
        var tag = Tag()
        var length = 0

        let succeeded = withUnsafeMutableBytes(of: &tag) { output in
            // A null key re-initialises the context with the key it already has.
            EVP_MAC_init(context, nil, 0, nil) == 1
                && EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
                    == 1
                && EVP_MAC_final(
                    context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, output.count) == 1
        }
        precondition(succeeded && length == Self.tagByteCount, "OpenSSL failed to compute an HMAC-SHA256 tag")
        return tag
    }

    /// Whether `first` and `second` hold the same bytes, in a time that depends only on their
    /// lengths (OpenSSL's `CRYPTO_memcmp`). Buffers of different lengths are never equal.
    public static func isEqualInConstantTime(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bool
    {
        guard first.count == second.count else { return false }
        guard !first.isEmpty else { return true }

        return CRYPTO_memcmp(first.baseAddress!, second.baseAddress!, first.count) == 0
    }

    /// Keys `context` for HMAC with SHA-256; false if OpenSSL refuses.
    private static func setKey(_ key: UnsafeRawBufferPointer, of context: OpaquePointer) -> Bool {
        "digest".withCString { parameterName in
            "SHA256".withCString { digestName in
                var parameters = [
                    OSSL_PARAM_construct_utf8_string(parameterName, UnsafeMutablePointer(mutating: digestName), 0),
                    OSSL_PARAM_construct_end(),
                ]
                // A null key would mean "keep the current key": an empty key needs a real address.
                return withUnsafeBytes(of: UInt8(0)) { placeholder in
                    let keyBytes = (key.baseAddress ?? placeholder.baseAddress!).assumingMemoryBound(to: UInt8.self)
                    return EVP_MAC_init(context, keyBytes, key.count, &parameters) == 1
                }
            }
        }
    }
}
