#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The position of the first `byte` in `base[from..<end]`, or `end`.
@inline(__always)
func findByte(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
    guard from < end, let hit = memchr(base + from, Int32(byte), end - from) else { return end }
    return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
}

/// Whether the `count` bytes at `a` and `b` are equal.
@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    memcmp(a, b, count) == 0
}
