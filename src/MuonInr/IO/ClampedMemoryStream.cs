namespace MuonInr.IO;

/// <summary>
/// A read-only memory stream whose position never passes its end. StbImageSharp skips segments by
/// seeking and tests for the end with Position == Length; a corrupt length that seeks past the end would
/// then never look like the end, and its marker loops spin for ever (a JPEG cut inside its first segment
/// hangs). Clamping the seek makes every such loop see the end and fail.
/// </summary>
internal sealed class ClampedMemoryStream(byte[] data) : MemoryStream(data, writable: false)
{
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };
        return base.Seek(Math.Clamp(target, 0, Length), SeekOrigin.Begin);
    }

    public override long Position
    {
        get => base.Position;
        set => base.Position = Math.Clamp(value, 0, Length);
    }
}
