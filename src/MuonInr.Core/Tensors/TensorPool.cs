using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MuonInr.Tensors;

/// <summary>
/// Pool of float buffers for tensor storage, bucketed by exact length. A training step requests the same
/// lengths every step, so after the first step every request is served from the pool and the managed
/// heap sees no new arrays (large arrays would otherwise land on the large-object heap every step and
/// make the GC the bottleneck). Buffers are allocated on the pinned object heap so that native BLAS and
/// pointer kernels can use them without pinning.
/// </summary>
public static class TensorPool
{
    private static readonly Dictionary<int, Stack<float[]>> Buckets = new();
    private static readonly object Gate = new();
    private static long _pooledBytes;
    private static long _rented;
    private static long _allocated;

    /// <summary>Bytes currently held idle by the pool.</summary>
    public static long PooledBytes { get { lock (Gate) return _pooledBytes; } }

    /// <summary>Number of buffers handed out and not yet returned.</summary>
    public static long Outstanding => Interlocked.Read(ref _rented);

    /// <summary>Number of buffers the pool ever had to allocate (a steady-state step adds none).</summary>
    public static long Allocations => Interlocked.Read(ref _allocated);

    /// <summary>
    /// Returns a buffer of exactly <paramref name="length"/> elements. Contents are unspecified unless
    /// <paramref name="clear"/> is true.
    /// </summary>
    public static float[] Rent(int length, bool clear = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0) { Interlocked.Increment(ref _rented); return []; } // the shared empty array: no allocation
        float[]? buffer = null;
        lock (Gate)
        {
            if (Buckets.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                _pooledBytes -= (long)length * sizeof(float);
            }
        }
        Interlocked.Increment(ref _rented);
        if (buffer is null)
        {
            Interlocked.Increment(ref _allocated);
            // Pinned: native BLAS and unsafe kernels take raw pointers into tensor storage.
            return clear ? GC.AllocateArray<float>(length, pinned: true) : GC.AllocateUninitializedArray<float>(length, pinned: true);
        }
        if (clear) Array.Clear(buffer);
        return buffer;
    }

    /// <summary>Gives a buffer back to the pool. The caller must not use it afterwards.</summary>
    public static void Return(float[] buffer)
    {
        Interlocked.Decrement(ref _rented);
        if (buffer.Length == 0) return;
        lock (Gate)
        {
            if (!Buckets.TryGetValue(buffer.Length, out var stack))
                Buckets[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            _pooledBytes += (long)buffer.Length * sizeof(float);
        }
    }

    /// <summary>Drops every idle buffer so the GC can reclaim it (e.g. between experiments).</summary>
    public static void Trim()
    {
        lock (Gate)
        {
            Buckets.Clear();
            _pooledBytes = 0;
        }
    }

    /// <summary>Pointer to the first element of a pooled (pinned) buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe float* Pointer(float[] buffer)
        => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
}
