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
        await uploadGate.beginUpload()
        do {
            try await sharedCollectionLock?.beginUpload()
        } catch {
            await uploadGate.endUpload()
            throw error
        }
        do {
            let result = try await body()
            await endUpload()
            return result
        } catch {
            await endUpload()
            throw error
        }
    }

    private func endUpload() async {
        do {
            try await sharedCollectionLock?.endUpload()
        } catch {
            logger.warning("could not release the shared upload lock (\(error)); it goes with its connection")
        }
        await uploadGate.endUpload()
    }

    /// Runs `body` holding the gate alone, here and across servers.
    func asCollection<T>(_ body: () async throws -> T) async throws -> T {
        await uploadGate.beginCollection()
        do {
            try await sharedCollectionLock?.beginCollection()
        } catch {
            await uploadGate.endCollection()
            throw error
        }
        do {
            let result = try await body()
            await endCollection()
            return result
        } catch {
            await endCollection()
            throw error
        }
    }

    private func endCollection() async {
        do {
            try await sharedCollectionLock?.endCollection()
        } catch {
            logger.warning("could not release the shared collection lock (\(error)); it goes with its connection")
        }
        await uploadGate.endCollection()
    }
}
