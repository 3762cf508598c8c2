namespace MuonInr.Geometry;

/// <summary>
/// A bounding-volume hierarchy over a mesh's triangles, built once and shared by <see cref="MeshDistance"/>
/// and <see cref="WindingNumber"/>. Nodes split their triangles by the binned surface-area heuristic
/// (tight boxes prune nearest-point searches best), falling back to the median centroid along the longest
/// axis; leaves hold at most <see cref="LeafSize"/> triangles.
/// Storage is flat: node i's children are i's <see cref="First"/> and First + 1 when <see cref="Count"/> is
/// 0; a leaf covers triangles [First, First + Count) of the leaf-ordered arrays. Corner coordinates are
/// copied in leaf order as doubles (9 per triangle) so a leaf scan reads one contiguous run.
/// Each node also stores what the fast winding number needs (Barill et al. 2018): the area-weighted
/// normal sum N = Σ A_t with A_t = ½(b − a)×(c − a), the area-weighted centroid p̃, the radius of a ball
/// around p̃ that holds the node's box, and the second-order moment M_ij = Σ_t A_t,i (c_t − p̃)_j (c_t the
/// triangle centroid; exact for the linear term, since ∫_t (x − p̃) dA = |t|(c_t − p̃)) and the third-order
/// moment C_ijk = Σ_t n_t,i ∫_t (x − p̃)_j (x − p̃)_k dA, by ∫_t x xᵀ dA = |t|/12 (Σ_v v vᵀ + (Σ_v v)(Σ_v v)ᵀ).
/// </summary>
internal sealed class TriangleBvh
{
    public const int LeafSize = 4;

    /// <summary>Depth below which splits use the surface-area heuristic; deeper ones the median, so depth ≤ 64 + log2(n) + 1.</summary>
    public const int MaxSahDepth = 64;

    /// <summary>Traversal stack size that always suffices (depth bound above, one deferred sibling per level).</summary>
    public const int StackSize = 128;
    public const int DipoleStride = 34;

    /// <summary>Index of the symmetric pair (j, k) in the 6 stored entries 00, 01, 02, 11, 12, 22.</summary>
    public static int Sym(int j, int k) => j <= k ? (j == 0 ? k : j + k + 1) : Sym(k, j);

    /// <summary>Node boxes, 3 per node (min and max corners).</summary>
    public readonly double[] BoxMin, BoxMax;
    /// <summary>Leaf: first triangle (leaf order); inner: index of the left child (right = left + 1).</summary>
    public readonly int[] First;
    /// <summary>Leaf: triangle count (≥ 1); inner: 0.</summary>
    public readonly int[] Count;
    /// <summary>Original triangle index of each leaf-ordered triangle.</summary>
    public readonly int[] Order;
    /// <summary>Leaf-ordered corners a, b, c (9 doubles per triangle).</summary>
    public readonly double[] Corners;
    /// <summary>Per node, <see cref="DipoleStride"/> doubles: N (3), p̃ (3), radius (1), M row-major (9), C (3 × 6, j ≤ k).</summary>
    public readonly double[] Dipole;
    public readonly int NodeCount;

    public TriangleBvh(TriangleMesh mesh)
    {
        int n = mesh.TriangleCount;
        if (n == 0) throw new ArgumentException("The mesh has no triangles.", nameof(mesh));
        var v = mesh.Vertices;
        var t = mesh.Triangles;
        var centroid = new double[3 * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 3; k++)
                centroid[3 * i + k] = ((double)v[3 * t[3 * i] + k] + v[3 * t[3 * i + 1] + k] + v[3 * t[3 * i + 2] + k]) / 3;
        Order = new int[n];
        for (int i = 0; i < n; i++) Order[i] = i;
        int maxNodes = 2 * n + 1; // a binary tree over n items has at most 2n − 1 nodes
        First = new int[maxNodes]; Count = new int[maxNodes];
        var keys = new double[n];
        var triLo = new double[3 * n];
        var triHi = new double[3 * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 3; k++)
            {
                float a = v[3 * t[3 * i] + k], b = v[3 * t[3 * i + 1] + k], c = v[3 * t[3 * i + 2] + k];
                triLo[3 * i + k] = Math.Min(a, Math.Min(b, c)); triHi[3 * i + k] = Math.Max(a, Math.Max(b, c));
            }
        int used = 1;
        Split(0, 0, n, 0);
        NodeCount = used;
        Array.Resize(ref First, used); Array.Resize(ref Count, used);

        Corners = new double[9 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                for (int k = 0; k < 3; k++) Corners[9 * i + 3 * c + k] = v[3 * t[3 * Order[i] + c] + k];
        BoxMin = new double[3 * used]; BoxMax = new double[3 * used]; Dipole = new double[DipoleStride * used]; _area = new double[used];
        Summarise(0);

        void Split(int node, int start, int count, int depth)
        {
            if (count <= LeafSize) { First[node] = start; Count[node] = count; return; }
            Span<double> lo = [double.MaxValue, double.MaxValue, double.MaxValue], hi = [double.MinValue, double.MinValue, double.MinValue];
            for (int i = start; i < start + count; i++)
                for (int k = 0; k < 3; k++) { double c = centroid[3 * Order[i] + k]; lo[k] = Math.Min(lo[k], c); hi[k] = Math.Max(hi[k], c); }
            int mid = depth < MaxSahDepth ? SahPartition(start, count, lo, hi) : -1;
            if (mid <= 0 || mid >= count)
            {
                // Median of the centroids along the longest axis of their box (also when SAH finds no split).
                int axis = hi[0] - lo[0] >= hi[1] - lo[1] ? (hi[0] - lo[0] >= hi[2] - lo[2] ? 0 : 2) : (hi[1] - lo[1] >= hi[2] - lo[2] ? 1 : 2);
                for (int i = start; i < start + count; i++) keys[i] = centroid[3 * Order[i] + axis];
                Array.Sort(keys, Order, start, count);
                mid = count / 2;
            }
            int left = used; used += 2;
            First[node] = left; Count[node] = 0;
            Split(left, start, mid, depth + 1);
            Split(left + 1, start + mid, count - mid, depth + 1);
        }

        // Binned surface-area heuristic: of the planes between Bins centroid bins on each axis, the one
        // minimising area(left box)·n_left + area(right box)·n_right; partitions Order in place and
        // returns the left count, or −1 when the centroids do not spread.
        int SahPartition(int start, int count, Span<double> lo, Span<double> hi)
        {
            const int Bins = 16;
            Span<int> binCount = stackalloc int[Bins];
            Span<double> binLo = stackalloc double[3 * Bins], binHi = stackalloc double[3 * Bins], rightArea = stackalloc double[Bins];
            double bestCost = double.PositiveInfinity; int bestAxis = -1, bestBin = 0;
            for (int axis = 0; axis < 3; axis++)
            {
                double extent = hi[axis] - lo[axis];
                if (!(extent > 0)) continue;
                binCount.Clear(); binLo.Fill(double.MaxValue); binHi.Fill(double.MinValue);
                for (int i = start; i < start + count; i++)
                {
                    int tri = Order[i];
                    int b = Math.Min(Bins - 1, (int)((centroid[3 * tri + axis] - lo[axis]) * Bins / extent));
                    binCount[b]++;
                    for (int k = 0; k < 3; k++) { binLo[3 * b + k] = Math.Min(binLo[3 * b + k], triLo[3 * tri + k]); binHi[3 * b + k] = Math.Max(binHi[3 * b + k], triHi[3 * tri + k]); }
                }
                // Sweep from the right: area of the box of bins [b, Bins).
                Span<double> boxLo = [double.MaxValue, double.MaxValue, double.MaxValue], boxHi = [double.MinValue, double.MinValue, double.MinValue];
                for (int b = Bins - 1; b > 0; b--)
                {
                    Grow(boxLo, boxHi, binLo.Slice(3 * b, 3), binHi.Slice(3 * b, 3));
                    rightArea[b] = Area(boxLo, boxHi);
                }
                boxLo.Fill(double.MaxValue); boxHi.Fill(double.MinValue);
                int nLeft = 0;
                for (int b = 1; b < Bins; b++)
                {
                    Grow(boxLo, boxHi, binLo.Slice(3 * (b - 1), 3), binHi.Slice(3 * (b - 1), 3));
                    nLeft += binCount[b - 1];
                    if (nLeft == 0 || nLeft == count) continue;
                    double cost = Area(boxLo, boxHi) * nLeft + rightArea[b] * (count - nLeft);
                    if (cost < bestCost) { bestCost = cost; bestAxis = axis; bestBin = b; }
                }
            }
            if (bestAxis < 0) return -1;
            int l = start, r = start + count - 1;
            double ext = hi[bestAxis] - lo[bestAxis];
            while (l <= r)
            {
                int b = Math.Min(Bins - 1, (int)((centroid[3 * Order[l] + bestAxis] - lo[bestAxis]) * Bins / ext));
                if (b < bestBin) l++;
                else { (Order[l], Order[r]) = (Order[r], Order[l]); r--; }
            }
            return l - start;
        }
    }

    private static void Grow(Span<double> lo, Span<double> hi, ReadOnlySpan<double> bLo, ReadOnlySpan<double> bHi)
    {
        for (int k = 0; k < 3; k++) { lo[k] = Math.Min(lo[k], bLo[k]); hi[k] = Math.Max(hi[k], bHi[k]); }
    }

    private static double Area(ReadOnlySpan<double> lo, ReadOnlySpan<double> hi)
    {
        if (lo[0] > hi[0]) return 0; // empty
        double x = hi[0] - lo[0], y = hi[1] - lo[1], z = hi[2] - lo[2];
        return x * y + y * z + z * x;
    }

    // Bottom-up boxes and dipole data.
    private void Summarise(int node)
    {
        Span<double> lo = BoxMin.AsSpan(3 * node, 3), hi = BoxMax.AsSpan(3 * node, 3);
        var d = Dipole.AsSpan(DipoleStride * node, DipoleStride);
        double area = 0;
        if (Count[node] > 0)
        {
            lo.Fill(double.MaxValue); hi.Fill(double.MinValue);
            for (int i = First[node]; i < First[node] + Count[node]; i++)
            {
                var c = Corners.AsSpan(9 * i, 9);
                for (int j = 0; j < 9; j++) { lo[j % 3] = Math.Min(lo[j % 3], c[j]); hi[j % 3] = Math.Max(hi[j % 3], c[j]); }
                var a = Vector3d.At(c, 0);
                var n = (Vector3d.At(c, 3) - a).Cross(Vector3d.At(c, 6) - a) * 0.5;
                double ar = n.Length();
                d[0] += n.X; d[1] += n.Y; d[2] += n.Z;
                for (int k = 0; k < 3; k++) d[3 + k] += ar * (c[k] + c[3 + k] + c[6 + k]) / 3;
                area += ar;
            }
        }
        else
        {
            int l = First[node], r = l + 1;
            Summarise(l); Summarise(r);
            for (int k = 0; k < 3; k++)
            {
                lo[k] = Math.Min(BoxMin[3 * l + k], BoxMin[3 * r + k]);
                hi[k] = Math.Max(BoxMax[3 * l + k], BoxMax[3 * r + k]);
                d[k] = Dipole[DipoleStride * l + k] + Dipole[DipoleStride * r + k];
            }
            double al = _area[l], ar = _area[r];
            for (int k = 0; k < 3; k++) d[3 + k] = al * Dipole[DipoleStride * l + 3 + k] + ar * Dipole[DipoleStride * r + 3 + k];
            area = al + ar;
        }
        // Centroid: area-weighted mean; a node of degenerate triangles only uses its box centre.
        for (int k = 0; k < 3; k++) d[3 + k] = area > 0 ? d[3 + k] / area : 0.5 * (lo[k] + hi[k]);
        _area[node] = area;
        double r2 = 0;
        for (int k = 0; k < 3; k++) { double e = Math.Max(d[3 + k] - lo[k], hi[k] - d[3 + k]); r2 += e * e; }
        d[6] = Math.Sqrt(r2);
        // Second-order moment about this node's p̃.
        var m = d.Slice(7, 9);
        if (Count[node] > 0)
        {
            for (int i = First[node]; i < First[node] + Count[node]; i++)
            {
                var c = Corners.AsSpan(9 * i, 9);
                var a = Vector3d.At(c, 0);
                var n = (Vector3d.At(c, 3) - a).Cross(Vector3d.At(c, 6) - a) * 0.5;
                Span<double> nv = [n.X, n.Y, n.Z], dc = [0, 0, 0], dv = [0, 0, 0, 0, 0, 0, 0, 0, 0];
                for (int j = 0; j < 3; j++)
                {
                    dc[j] = (c[j] + c[3 + j] + c[6 + j]) / 3 - d[3 + j];
                    for (int v = 0; v < 3; v++) dv[3 * v + j] = c[3 * v + j] - d[3 + j];
                    for (int k = 0; k < 3; k++) m[3 * k + j] += nv[k] * dc[j];
                }
                for (int j = 0; j < 3; j++)
                    for (int k = j; k < 3; k++)
                    {
                        double second = (dv[j] * dv[k] + dv[3 + j] * dv[3 + k] + dv[6 + j] * dv[6 + k] + 9 * dc[j] * dc[k]) / 12; // ∫ δ_j δ_k dA / area
                        for (int axis = 0; axis < 3; axis++) d[16 + 6 * axis + Sym(j, k)] += nv[axis] * second;
                    }
            }
        }
        else
        {
            // Shift each child's moment to this p̃: M += N_child ⊗ (p̃_child − p̃).
            foreach (int child in new[] { First[node], First[node] + 1 })
            {
                var cd = Dipole.AsSpan(DipoleStride * child, DipoleStride);
                Span<double> shift = [cd[3] - d[3], cd[4] - d[4], cd[5] - d[5]];
                for (int k = 0; k < 3; k++)
                    for (int j = 0; j < 3; j++) m[3 * k + j] += cd[7 + 3 * k + j] + cd[k] * shift[j];
                // C'_ijk = C_ijk + M_ij s_k + M_ik s_j + N_i s_j s_k.
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        for (int k = j; k < 3; k++)
                            d[16 + 6 * i + Sym(j, k)] += cd[16 + 6 * i + Sym(j, k)] + cd[7 + 3 * i + j] * shift[k] + cd[7 + 3 * i + k] * shift[j] + cd[i] * shift[j] * shift[k];
            }
        }
    }

    private readonly double[] _area; // total triangle area per node, for merging centroids
}
