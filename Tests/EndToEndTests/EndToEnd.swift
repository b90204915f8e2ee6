import Testing

/// relevo's end-to-end tests: a real `relevo run` process between real sockets on 127.0.0.1.
///
/// Each test starts its own backends and relevo (``withProxy(backends:configure:_:)``) and stops them. The tests
/// run one at a time: on a 2-core machine, relevo's two workers and the test's threads already fill it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct EndToEnd {}
