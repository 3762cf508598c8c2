namespace MuonInr.Geometry;

/// <summary>
/// The marching-cubes case tables, in Lorensen &amp; Cline's layout and Bourke's corner/edge numbering:
/// <code>
///   corners  0 (0,0,0)  1 (1,0,0)  2 (1,1,0)  3 (0,1,0)  4 (0,0,1)  5 (1,0,1)  6 (1,1,1)  7 (0,1,1)
///   edges    0: 0–1   1: 1–2   2: 2–3   3: 3–0   4: 4–5   5: 5–6   6: 6–7   7: 7–4
///            8: 0–4   9: 1–5  10: 2–6  11: 3–7
/// </code>
/// The case index has bit i set when corner i is inside (value &lt; iso). <see cref="EdgeTable"/>[case] is
/// the 12-bit mask of edges the surface crosses; <see cref="TriangleTable"/>[case] lists edges in triples,
/// one triangle per triple.
/// <para>
/// The triangle lists are derived here rather than transcribed: for each case every cube face
/// contributes the segments between its crossed edges, directed so that the inside corners lie to the
/// right as seen from outside the cube; the segments chain into closed loops that are fanned into
/// triangles. The one choice is the ambiguous face (two diagonal corners inside): its inside corners are
/// always separated. Because that decision depends only on the face's four corners, two cubes sharing a
/// face cut it identically, so extracted meshes are watertight (a table that resolves ambiguous faces case
/// by case, as the 1987 one did, can leave holes where two such cubes meet). Fan triangulations avoid
/// diagonals between two vertices of one face, which the neighbour could repeat (the test over every case
/// and random fields checks each edge has exactly two triangles). The direction rule makes every triangle's right-hand normal point from inside to
/// outside, i.e. outward for a field that is negative inside. The table is 256 small arrays, built once.
/// </para>
/// </summary>
internal static class MarchingCubesTables
{
    /// <summary>Corner offsets (x, y, z) in the unit cube.</summary>
    public static readonly int[,] Corner = { { 0, 0, 0 }, { 1, 0, 0 }, { 1, 1, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 0, 1 }, { 1, 1, 1 }, { 0, 1, 1 } };

    /// <summary>The two corners of each edge.</summary>
    public static readonly int[,] EdgeCorners = { { 0, 1 }, { 1, 2 }, { 2, 3 }, { 3, 0 }, { 4, 5 }, { 5, 6 }, { 6, 7 }, { 7, 4 }, { 0, 4 }, { 1, 5 }, { 2, 6 }, { 3, 7 } };

    /// <summary>Crossed-edge mask per case.</summary>
    public static readonly int[] EdgeTable = new int[256];

    /// <summary>Triangles per case as edge triples.</summary>
    public static readonly int[][] TriangleTable = new int[256][];

    // The six faces as corner cycles, each with its outward axis (0 x, 1 y, 2 z) and sign.
    private static readonly (int[] Corners, int Axis, int Sign)[] Faces =
    [
        ([0, 3, 7, 4], 0, -1), ([1, 2, 6, 5], 0, +1),
        ([0, 1, 5, 4], 1, -1), ([3, 2, 6, 7], 1, +1),
        ([0, 1, 2, 3], 2, -1), ([4, 5, 6, 7], 2, +1),
    ];

    static MarchingCubesTables()
    {
        for (int c = 0; c < 256; c++) Build(c);
    }

    private static void Build(int cube)
    {
        bool Inside(int corner) => (cube >> corner & 1) != 0;
        var next = new int[12];
        Array.Fill(next, -1);
        int mask = 0;
        foreach (var (corners, axis, sign) in Faces)
        {
            // Crossed edges of this face, each found between consecutive corners of the cycle.
            for (int k = 0; k < 4; k++)
            {
                int p = corners[k], q = corners[(k + 1) % 4];
                if (Inside(p) != Inside(q)) mask |= 1 << Edge(p, q);
            }
            int insideCount = corners.Count(Inside);
            if (insideCount is 0 or 4) continue;
            if (insideCount == 2 && Inside(corners[0]) == Inside(corners[2]))
            {
                // Ambiguous face: cut each inside corner off on its own.
                foreach (int k in new[] { 0, 1, 2, 3 }.Where(k => Inside(corners[k])))
                    AddSegment(next, axis, sign, Edge(corners[(k + 3) % 4], corners[k]), Edge(corners[k], corners[(k + 1) % 4]), [corners[k]]);
            }
            else
            {
                int e0 = -1, e1 = -1;
                for (int k = 0; k < 4; k++)
                {
                    int p = corners[k], q = corners[(k + 1) % 4];
                    if (Inside(p) == Inside(q)) continue;
                    if (e0 < 0) e0 = Edge(p, q); else e1 = Edge(p, q);
                }
                AddSegment(next, axis, sign, e0, e1, corners.Where(Inside).ToArray());
            }
        }
        EdgeTable[cube] = mask;
        // Chain the directed segments into loops and fan each loop.
        var tris = new List<int>();
        var seen = new bool[12];
        for (int start = 0; start < 12; start++)
        {
            if (next[start] < 0 || seen[start]) continue;
            var loop = new List<int>();
            for (int e = start; !seen[e]; e = next[e]) { seen[e] = true; loop.Add(e); }
            if (!Triangulate(loop, tris)) throw new InvalidOperationException($"marching cubes table: case {cube} has a loop with no face-safe triangulation");
        }
        TriangleTable[cube] = tris.ToArray();
    }

    // Triangulates a loop of edge ids (kept in order, so the orientation is preserved) such that no added
    // diagonal joins two edges of one cube face: the neighbouring cube could make the same diagonal on
    // that shared face, and the edge would then belong to four triangles. Exhaustive over the (few)
    // triangulations of a ≤ 12-gon: the triangle on side (p[0], p[1]) has apex p[k].
    private static bool Triangulate(List<int> loop, List<int> tris)
    {
        if (loop.Count < 3) return true; // a side, no area
        if (loop.Count == 3) { tris.AddRange(loop); return true; }
        int mark = tris.Count;
        for (int k = 2; k < loop.Count; k++)
        {
            if (k > 2 && ShareFace(loop[1], loop[k])) continue; // diagonal p1–pk
            if (k < loop.Count - 1 && ShareFace(loop[0], loop[k])) continue; // diagonal p0–pk
            tris.AddRange([loop[0], loop[1], loop[k]]);
            if (Triangulate(loop.GetRange(1, k), tris) && Triangulate([loop[0], .. loop.GetRange(k, loop.Count - k)], tris)) return true;
            tris.RemoveRange(mark, tris.Count - mark);
        }
        return false;
    }

    private static bool ShareFace(int e0, int e1)
    {
        foreach (var (corners, _, _) in Faces)
        {
            bool has0 = false, has1 = false;
            for (int k = 0; k < 4; k++)
            {
                int edge = Edge(corners[k], corners[(k + 1) % 4]);
                has0 |= edge == e0; has1 |= edge == e1;
            }
            if (has0 && has1) return true;
        }
        return false;
    }

    // Directs segment e0–e1 so that the inside corners are on its right as seen from outside the face
    // (cross(direction, inside − start) points into the cube), then records it as e0 → e1.
    private static void AddSegment(int[] next, int axis, int sign, int e0, int e1, int[] insideCorners)
    {
        var a = Midpoint(e0); var b = Midpoint(e1);
        double[] c = new double[3];
        foreach (int corner in insideCorners) for (int k = 0; k < 3; k++) c[k] += (double)Corner[corner, k] / insideCorners.Length;
        double[] d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], r = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
        double crossAlongAxis = d[(axis + 1) % 3] * r[(axis + 2) % 3] - d[(axis + 2) % 3] * r[(axis + 1) % 3];
        if (crossAlongAxis * sign > 0) (e0, e1) = (e1, e0);
        if (next[e0] >= 0) throw new InvalidOperationException($"marching cubes table: edge {e0} starts two segments"); // cannot happen: each edge lies on two faces
        next[e0] = e1;
    }

    private static double[] Midpoint(int edge)
    {
        int p = EdgeCorners[edge, 0], q = EdgeCorners[edge, 1];
        return [(Corner[p, 0] + Corner[q, 0]) / 2.0, (Corner[p, 1] + Corner[q, 1]) / 2.0, (Corner[p, 2] + Corner[q, 2]) / 2.0];
    }

    private static int Edge(int p, int q)
    {
        for (int e = 0; e < 12; e++)
            if ((EdgeCorners[e, 0] == p && EdgeCorners[e, 1] == q) || (EdgeCorners[e, 0] == q && EdgeCorners[e, 1] == p)) return e;
        throw new InvalidOperationException($"corners {p} and {q} share no edge");
    }
}
