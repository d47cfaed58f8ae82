import TestSupport
import Foundation
import Testing
import TallyPipeline

/// `StateLock`: one run at a time per state directory (issue 5, item 3).
@Suite struct StateLockTests {
    @Test("the lock file is created in the directory (and the directory when missing), and released on release()")
    func createsAndReleases() throws {
        let scratch = try TemporaryDirectory()
        let directory = scratch.path("state/nested")
        let lock = try StateLock.acquire(directory: directory)
        #expect(lock.lockPath == directory + "/lock")
        #expect(FileManager.default.fileExists(atPath: directory + "/lock"))
        lock.release()
        lock.release()  // a second release does nothing
        let again = try StateLock.acquire(directory: directory)
        again.release()
        #expect(FileManager.default.fileExists(atPath: directory + "/lock"))  // never removed
    }

    @Test("two opens of one lock file conflict, even in one process; the holder's release (or deinit) frees it")
    func conflictInProcess() throws {
        let scratch = try TemporaryDirectory()
        var holder: StateLock? = try StateLock.acquire(directory: scratch.path)
        let error = #expect(throws: StateLockError.self) { try StateLock.acquire(directory: scratch.path) }
        #expect(error?.exitCode == 75)
        #expect(error?.description
            == "another tokentally run holds \(scratch.path) (lock file \(scratch.path)/lock); try again later or pass --wait SECONDS")
        #expect(holder != nil)
        holder = nil  // deinit releases
        let next = try StateLock.acquire(directory: scratch.path)
        next.release()
    }

    @Test("with a wait, the lock is taken once the holder releases it within the wait")
    func waitSucceeds() throws {
        let scratch = try TemporaryDirectory()
        let holder = try StateLock.acquire(directory: scratch.path)
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) {
            holder.release()
            released.signal()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let lock = try StateLock.acquire(directory: scratch.path, wait: .seconds(10))
        let waited = clock.now - start
        #expect(waited >= .milliseconds(250))
        #expect(waited < .seconds(5))
        lock.release()
        released.wait()
    }

    @Test("with a wait, a lock still held at the deadline fails after the wait, naming the wait")
    func waitTimesOut() throws {
        let scratch = try TemporaryDirectory()
        let holder = try StateLock.acquire(directory: scratch.path)
        defer { holder.release() }
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: StateLockError.self) {
            try StateLock.acquire(directory: scratch.path, wait: .milliseconds(400))
        }
        let waited = clock.now - start
        #expect(waited >= .milliseconds(400))
        #expect(waited < .seconds(5))
        #expect(error == .held(directory: scratch.path, lockPath: scratch.path + "/lock", waited: .milliseconds(400)))
        #expect(error?.description.contains("after waiting 0.4 s") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("another process holding the lock (util-linux flock) makes acquire fail at once, and wait until it exits")
    func crossProcess() throws {
        let flockPath = "/usr/bin/flock"
        try #require(FileManager.default.isExecutableFile(atPath: flockPath), "util-linux flock is needed")
        let scratch = try TemporaryDirectory()
        try scratch.directory("state")
        let directory = scratch.path("state")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: flockPath)
        holder.arguments = [directory + "/lock", "sh", "-c", "echo held; sleep 2"]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        // Wait until flock holds the lock (it runs the command only then).
        let line = out.fileHandleForReading.availableData
        #expect(String(decoding: line, as: UTF8.self) == "held\n")

        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: StateLockError.self) { try StateLock.acquire(directory: directory) }
        #expect(clock.now - start < .milliseconds(500))
        #expect(error?.exitCode == 75)

        // Waiting outlives the holder (2 s).
        let lock = try StateLock.acquire(directory: directory, wait: .seconds(20))
        #expect(!holder.isRunning || clock.now - start >= .seconds(1))
        lock.release()
        holder.waitUntilExit()
    }

    @Test("a directory that cannot be created is an error naming it (exit 1)")
    func cannotCreate() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("file", "not a directory")
        let error = #expect(throws: StateLockError.self) { try StateLock.acquire(directory: scratch.path("file/state")) }
        #expect(error?.exitCode == 1)
        #expect(error?.description.hasPrefix(scratch.path("file/state")) == true)
    }
}
