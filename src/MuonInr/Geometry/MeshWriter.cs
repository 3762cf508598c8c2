using System.Globalization;
using System.Text;

namespace MuonInr.Geometry;

/// <summary>
/// Writes triangle meshes: binary little-endian PLY (float x y z, <c>list uchar int vertex_indices</c>)
/// and OBJ (<c>v x y z</c> with round-trip float text, <c>f a b c</c> 1-based). Both read back through
/// <see cref="MeshReader"/> to the same arrays.
/// </summary>
public static class MeshWriter
{
    /// <summary>Writes <paramref name="mesh"/> as binary little-endian PLY.</summary>
    public static void WritePly(string path, TriangleMesh mesh) => File.WriteAllBytes(path, EncodePly(mesh));

    /// <summary>The binary little-endian PLY bytes of <paramref name="mesh"/>.</summary>
    public static byte[] EncodePly(TriangleMesh mesh)
    {
        using var ms = new MemoryStream();
        var header = $"ply\nformat binary_little_endian 1.0\ncomment MuonInr\nelement vertex {mesh.VertexCount}\nproperty float x\nproperty float y\nproperty float z\n"
            + $"element face {mesh.TriangleCount}\nproperty list uchar int vertex_indices\nend_header\n";
        ms.Write(Encoding.ASCII.GetBytes(header));
        using (var w = new BinaryWriter(ms, Encoding.ASCII, leaveOpen: true)) // BinaryWriter is little-endian
        {
            foreach (float v in mesh.Vertices) w.Write(v);
            var t = mesh.Triangles;
            for (int i = 0; i < t.Length; i += 3) { w.Write((byte)3); w.Write(t[i]); w.Write(t[i + 1]); w.Write(t[i + 2]); }
        }
        return ms.ToArray();
    }

    /// <summary>Writes <paramref name="mesh"/> as OBJ.</summary>
    public static void WriteObj(string path, TriangleMesh mesh)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        w.WriteLine($"# MuonInr: {mesh.VertexCount} vertices, {mesh.TriangleCount} triangles");
        var v = mesh.Vertices;
        var ci = CultureInfo.InvariantCulture;
        for (int i = 0; i < v.Length; i += 3)
            w.WriteLine($"v {v[i].ToString("R", ci)} {v[i + 1].ToString("R", ci)} {v[i + 2].ToString("R", ci)}");
        var t = mesh.Triangles;
        for (int i = 0; i < t.Length; i += 3) w.WriteLine($"f {t[i] + 1} {t[i + 1] + 1} {t[i + 2] + 1}");
    }
}
