using System.Numerics;
using MuonInr.Geometry;

namespace MuonInr.Rendering;

/// <summary>
/// Software rendering of a triangle mesh for reports: orthographic projection of the unit cube
/// [−0.5, 0.5]³ after a rotation (azimuth about y, then elevation about x), a z-buffer, and Lambert
/// shading of the face normals (two-sided, ambient 0.15, one light from the upper left front). Enough to
/// see whether a reconstructed surface is smooth, noisy or missing parts, at a few ms per view.
/// </summary>
public static class MeshShading
{
    /// <summary>The three fixed viewpoints of SDF reports: (azimuth°, elevation°, name).</summary>
    public static IReadOnlyList<(double Azimuth, double Elevation, string Name)> Views { get; } =
        [(0, 0, "front"), (90, 0, "side"), (-45, 30, "three-quarter")];

    /// <summary>Gray image [size, size] in [0, 1] (1 = background) of <paramref name="mesh"/> (coordinates in the unit cube).</summary>
    public static float[] Render(TriangleMesh mesh, double azimuthDegrees, double elevationDegrees, int size)
    {
        var image = new float[size * size];
        Array.Fill(image, 1f);
        var depth = new float[size * size];
        Array.Fill(depth, float.NegativeInfinity);
        var rotation = Matrix4x4.CreateRotationY((float)(azimuthDegrees * Math.PI / 180)) * Matrix4x4.CreateRotationX((float)(elevationDegrees * Math.PI / 180));
        var light = Vector3.Normalize(new Vector3(-0.4f, 0.6f, 1f));
        float scale = size * 0.95f; // the unit cube's face fills 95 % of the image
        Vector3 Project(Vector3 p)
        {
            var q = Vector3.Transform(p, rotation);
            return new Vector3(size / 2f + q.X * scale, size / 2f - q.Y * scale, q.Z);
        }
        for (int t = 0; t < mesh.TriangleCount; t++)
        {
            var (a0, b0, c0) = mesh.Triangle(t);
            var n = Vector3.Cross(b0 - a0, c0 - a0);
            if (n.LengthSquared() == 0) continue;
            n = Vector3.Normalize(Vector3.TransformNormal(n, rotation));
            float shade = 0.15f + 0.85f * MathF.Abs(Vector3.Dot(n, light));
            Rasterize(Project(a0), Project(b0), Project(c0), 0.1f + 0.75f * shade, image, depth, size);
        }
        return image;
    }

    // Fills the triangle's pixels (centres inside, barycentric test) where it is nearer than the z-buffer.
    private static void Rasterize(Vector3 a, Vector3 b, Vector3 c, float value, float[] image, float[] depth, int size)
    {
        int x0 = Math.Max(0, (int)MathF.Floor(MathF.Min(a.X, MathF.Min(b.X, c.X))));
        int x1 = Math.Min(size - 1, (int)MathF.Ceiling(MathF.Max(a.X, MathF.Max(b.X, c.X))));
        int y0 = Math.Max(0, (int)MathF.Floor(MathF.Min(a.Y, MathF.Min(b.Y, c.Y))));
        int y1 = Math.Min(size - 1, (int)MathF.Ceiling(MathF.Max(a.Y, MathF.Max(b.Y, c.Y))));
        float area = (b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X);
        if (MathF.Abs(area) < 1e-12f) return;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                float px = x + 0.5f, py = y + 0.5f;
                float w0 = ((b.X - px) * (c.Y - py) - (b.Y - py) * (c.X - px)) / area;
                float w1 = ((c.X - px) * (a.Y - py) - (c.Y - py) * (a.X - px)) / area;
                float w2 = 1 - w0 - w1;
                if (w0 < 0 || w1 < 0 || w2 < 0) continue;
                float z = w0 * a.Z + w1 * b.Z + w2 * c.Z;
                int i = y * size + x;
                if (z <= depth[i]) continue;
                depth[i] = z;
                image[i] = value;
            }
    }

    /// <summary>
    /// A grid of views as one RGB image: a row per mesh (null rows stay blank, e.g. an empty
    /// reconstruction), a column per <see cref="Views"/> entry, 4 px gaps.
    /// </summary>
    public static (float[] Rgb, int Width, int Height) Grid(IReadOnlyList<TriangleMesh?> meshes, int size)
    {
        int gap = 4, cols = Views.Count, width = cols * size + (cols - 1) * gap, height = meshes.Count * size + (meshes.Count - 1) * gap;
        var rgb = new float[width * height * 3];
        Array.Fill(rgb, 1f);
        for (int r = 0; r < meshes.Count; r++)
        {
            if (meshes[r] is not { } mesh) continue;
            for (int v = 0; v < cols; v++)
            {
                var view = Render(mesh, Views[v].Azimuth, Views[v].Elevation, size);
                int ox = v * (size + gap), oy = r * (size + gap);
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int o = ((oy + y) * width + ox + x) * 3;
                        float g = view[y * size + x];
                        rgb[o] = g; rgb[o + 1] = g; rgb[o + 2] = g;
                    }
            }
        }
        return (rgb, width, height);
    }
}
