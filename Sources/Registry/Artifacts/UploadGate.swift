/// Keeps garbage collection from deleting a blob that an upload in this process is about to reference.
///
/// An upload may find its bytes already stored (an unreferenced blob, perhaps past its grace period) and only
/// then add the manifest entry; a collection running in between would delete the blob under it. Uploads hold
/// the gate shared; a collection holds it alone and waits for running uploads to finish. Servers sharing a store
/// also go through the registry's `SharedCollectionLock`, entered after this gate.
actor UploadGate {
    private var uploads = 0
    private var collecting = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// How many uploads hold the gate (for tests that need an upload to be in flight).
    var uploadsInFlight: Int { uploads }
    /// How many callers wait at the gate (for tests that need a collection to be blocked by an upload).
    var waiting: Int { waiters.count }

    /// Enters as an upload; waits while a collection is deleting. Pair with `endUpload()`.
    func beginUpload() async {
        while collecting { await wait() }
        uploads += 1
    }

    func endUpload() {
        uploads -= 1
        wakeAll()
    }

    /// Enters as the collection once no upload runs; uploads arriving meanwhile wait. Pair with `endCollection()`.
    func beginCollection() async {
        while collecting || uploads > 0 { await wait() }
        collecting = true
    }

    func endCollection() {
        collecting = false
        wakeAll()
    }

    private func wait() async {
        await withCheckedContinuation { waiters.append($0) }
    }

    private func wakeAll() {
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }
}

extension Registry {
    /// Runs `body` holding the gate as an upload: this process's gate, then the lock shared with other servers.
    func asUpload<T>(_ body: () async throws -> T) async throws -> T {
        try await holding(
            enter: { await uploadGate.beginUpload() }, leave: { await uploadGate.endUpload() },
            enterShared: { try await sharedCollectionLock?.beginUpload() },
            leaveShared: { try await sharedCollectionLock?.endUpload() }, body)
    }

    /// Runs `body` holding the gate alone, here and across servers.
    func asCollection<T>(_ body: () async throws -> T) async throws -> T {
        try await holding(
            enter: { await uploadGate.beginCollection() }, leave: { await uploadGate.endCollection() },
            enterShared: { try await sharedCollectionLock?.beginCollection() },
            leaveShared: { try await sharedCollectionLock?.endCollection() }, body)
    }

    /// Enters this process's gate, then the shared lock; leaves them in reverse order whatever `body` does. A
    /// shared lock that cannot be released is logged: its connection takes it along when it goes.
    private func holding<T>(
        enter: () async -> Void, leave: () async -> Void, enterShared: () async throws -> Void,
        leaveShared: () async throws -> Void, _ body: () async throws -> T
    ) async throws -> T {
        await enter()
        do {
            try await enterShared()
        } catch {
            await leave()
            throw error
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        do {
            try await leaveShared()
        } catch {
            logger.warning("could not release the shared collection lock (\(error)); it goes with its connection")
        }
        await leave()
        return try result.get()
    }
}
