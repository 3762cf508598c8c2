using System.Globalization;
using MuonInr.Tensors;

namespace MuonInr.Tasks;

/// <summary>Train / held-out splits of a signal's rows (pixels, audio frames) for inpainting.</summary>
public static class RowSplit
{
    /// <summary>
    /// A seeded random subset of <paramref name="fraction"/> of <paramref name="count"/> rows to train on and
    /// the rest held out, each sorted ascending. Both parts must be non-empty: the option is named in the
    /// error so the user knows which value to change.
    /// </summary>
    public static (int[] Train, int[] HeldOut) Random(int count, double fraction, ulong seed, string option = "options.inpaint")
    {
        var ci = CultureInfo.InvariantCulture;
        if (!(fraction > 0 && fraction < 1))
            throw new RunSpecException(option, string.Create(ci, $"{option} must be in (0, 1) (the fraction of rows to train on; omit it to fit every row), got {fraction}."));
        int n = (int)Math.Round(fraction * count);
        if (n < 1 || n >= count)
            throw new RunSpecException(option, string.Create(ci, $"{option} {fraction} leaves {(n < 1 ? "no row to train on" : "no row held out")} of the {count} rows; use a fraction between {1.0 / count:G3} and {1 - 1.0 / count:G6}."));
        var perm = new Rng(seed).Permutation(count);
        var train = perm[..n]; var held = perm[n..];
        Array.Sort(train); Array.Sort(held);
        return (train, held);
    }

    /// <summary>Rows <paramref name="rows"/> of t [N, F] as a new tensor outside any scope.</summary>
    public static Tensor Take(Tensor t, int[] rows)
    {
        int f = t.Dim(1);
        var r = Tensor.Zeros(rows.Length, f).Escape();
        for (int i = 0; i < rows.Length; i++) t.Span.Slice(rows[i] * f, f).CopyTo(r.Span.Slice(i * f, f));
        return r;
    }
}
