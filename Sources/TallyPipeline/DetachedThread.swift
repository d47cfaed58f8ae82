#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` on a new thread of its own, named `name` (as `top` and `gdb` show it).
///
/// A plain POSIX thread: Foundation's `Thread` would be the only reason to load Foundation
/// (and ICU) at start-up. For work that blocks (reading inputs) or sleeps (the progress
/// ticker), so it must not take one of Dispatch's threads.
func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        let name: String
        init(_ body: @escaping @Sendable () -> Void, name: String) {
            self.body = body
            self.name = name
        }
    }
    let box = Unmanaged.passRetained(Box(body, name: name)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        #if os(Linux)
        _ = setThreadName(pthread_self(), String(decoding: box.name.utf8.prefix(15), as: UTF8.self))  // the kernel keeps 15 bytes
        #endif
        box.body()
        return nil
    }, box)
    precondition(created == 0, "cannot start a thread: error \(created)")
    pthread_detach(thread)
}

#if os(Linux)
/// glibc's `pthread_setname_np`, which the Glibc module does not export (it is a GNU extension).
@_silgen_name("pthread_setname_np")
private func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
#endif
