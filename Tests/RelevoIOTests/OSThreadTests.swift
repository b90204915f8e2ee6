import Glibc
import RelevoIO
import Testing

/// The calling thread's name, as the kernel has it.
private func currentThreadName() -> [UInt8] {
    let descriptor = open("/proc/thread-self/comm", O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return [] }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = read(descriptor, &buffer, buffer.count)
    return Array(buffer.prefix(max(count, 0)).prefix { $0 != UInt8(ascii: "\n") })
}

/// Starts a thread named `requested` and returns the name it runs under.
///
/// The thread reads its name only once `OSThread.start` has returned, by which time the name is set.
private func nameGiven(_ requested: String) -> [UInt8] {
    let started = EventCounter()
    let name = Recorder<[UInt8]>()
    let thread = TestThread(name: requested) {
        started.wait()
        name.append(currentThreadName())
    }
    started.signal()
    thread.join()
    return name.all.first ?? []
}

@Suite("OSThread starts and joins named threads")
struct OSThreadTests {
    @Test func theBodyRunsOnANewThreadAndJoinWaitsForIt() {
        let caller = pthread_self()
        let ranElsewhere = Recorder<Bool>()

        let thread = OSThread.start(name: "relevo-body") {
            pause(milliseconds: 20)
            ranElsewhere.append(pthread_equal(pthread_self(), caller) == 0)
        }
        OSThread.join(thread)

        #expect(ranElsewhere.all == [true])
    }

    @Test func theThreadCarriesItsName() {
        #expect(nameGiven("relevo-w3") == Array("relevo-w3".utf8))
    }

    @Test func aNameLongerThanFifteenBytesIsCutToFifteen() {
        #expect(nameGiven("relevo-worker-123456") == Array("relevo-worker-1".utf8))
    }

    /// `OSThread.start` cuts the name to 15 Characters, not 15 bytes; a longer UTF-8 name makes
    /// `pthread_setname_np` fail with `ERANGE`, the failure is ignored and the thread keeps its creator's name.
    @Test(.bug(id: "relevo-io-5", "a name of 15 characters but more than 15 bytes is not set at all"))
    func aNonASCIINameIsCutToAtMostFifteenBytes() {
        let requested = "wörker-über-ünï-1"

        let given = nameGiven(requested)

        #expect(!given.isEmpty && given.count <= 15 && Array(requested.utf8).starts(with: given))
    }
}
