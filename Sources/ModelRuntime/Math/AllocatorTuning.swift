#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide allocator settings for a server of models.
public enum AllocatorTuning {
    /// Keeps large transient buffers in the heap instead of returning them to the kernel after every use.
    ///
    /// glibc gives each allocation above `M_MMAP_THRESHOLD` (128 KB, adapting up to 32 MB) pages of its own and
    /// trims the heap's top once 128 KB lie free, so each buffer of 0.1 MB and up was zeroed page faults again:
    /// 15% of the CPU of a 2,000-version MLflow search, and 3-8% of an all-MiniLM-L6-v2 batch, whose every step
    /// allocates its activations (`modelyard-bench embeddings`). With these settings buffers up to 256 MB come
    /// from the heap, up to 512 MB of free heap stays mapped for reuse, and the heap grows 64 MB at a time.
    /// A no-op where the C library is not glibc. Call once at start-up.
    public static func keepLargeBuffers() {
        #if canImport(Glibc)
            // <malloc.h> is not part of the Glibc module: look mallopt up and call it with C's convention.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, ...
            _ = mallopt(mmapThreshold, 256 << 20)
            _ = mallopt(trimThreshold, 512 << 20)
            _ = mallopt(topPad, 64 << 20)
        #endif
    }
}
