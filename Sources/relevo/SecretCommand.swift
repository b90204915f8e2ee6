import RelevoRelease

/// `relevo secret`: prints a fresh key for `secret_file` (64 hex digits, 32 random bytes).
enum SecretCommand {
    static func main(_ arguments: [String]) -> Int32 {
        guard arguments.isEmpty else { Usage.fail("secret takes no options") }
        print(AffinitySecret.generate())
        return 0
    }
}
