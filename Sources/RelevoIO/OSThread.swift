import CRelevoSystem
import Glibc

/// Starts OS threads without Foundation.
public enum OSThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Starts a joinable thread named `name` (at most 15 bytes are kept) running `body`.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                body.run()
                return nil
            }, context)
        precondition(result == 0, "pthread_create failed: \(result)")
        _ = crelevo_set_thread_name(thread, threadName(name))
        return thread
    }

    /// The longest prefix of `name`, in whole characters, that fits the kernel's 15 bytes.
    static func threadName(_ name: String) -> String {
        var result = ""
        for character in name {
            guard result.utf8.count + character.utf8.count <= 15 else { break }
            result.append(character)
        }
        return result
    }

    /// Waits for `thread` to end.
    public static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }
}
